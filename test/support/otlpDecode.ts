// Decodes an OTLP/HTTP protobuf ExportMetricsServiceRequest the way a collector would, with the official
// otlp-transformer's protobuf reader and the field numbers of opentelemetry-proto's metrics.proto / common.proto /
// resource.proto (the same numbers otlp-transformer's metrics-serializer writes). Covers what tokstat sends: gauges
// and sums of number data points with string/int/double/bool attributes. The result has the OTLP/JSON shape
// (lowerCamelCase, 64-bit times as decimal strings), so a test can compare it with the JSON encoding too.
import { ProtobufReader } from '@opentelemetry/otlp-transformer/build/src/common/protobuf/protobuf-reader';

export interface AnyValue {
  stringValue?: string;
  boolValue?: boolean;
  intValue?: number;
  doubleValue?: number;
}
export interface KeyValue {
  key: string;
  value: AnyValue;
}
export interface NumberDataPoint {
  attributes: KeyValue[];
  startTimeUnixNano?: string;
  timeUnixNano?: string;
  asDouble?: number;
  asInt?: number;
}
export interface DecodedMetric {
  name: string;
  description?: string;
  unit?: string;
  gauge?: { dataPoints: NumberDataPoint[] };
  sum?: { dataPoints: NumberDataPoint[]; aggregationTemporality?: number; isMonotonic?: boolean };
}
export interface DecodedRequest {
  resourceMetrics: Array<{ resource: { attributes: KeyValue[] }; scopeMetrics: Array<{ scope: { name?: string; version?: string }; metrics: DecodedMetric[] }> }>;
}

const WIRE_VARINT = 0;
const WIRE_FIXED64 = 1;
const WIRE_LEN = 2;

function fields(buf: Uint8Array, on: (field: number, wire: number, r: ProtobufReader, start: number) => void): void {
  const r = new ProtobufReader(buf);
  while (!r.isAtEnd()) {
    const { fieldNumber, wireType } = r.readTag();
    const before = r.pos;
    on(fieldNumber, wireType, r, before);
    if (r.pos === before) r.skip(wireType);
  }
}

function fixed64(buf: Uint8Array, r: ProtobufReader, start: number): DataView {
  r.skip(WIRE_FIXED64);
  return new DataView(buf.buffer, buf.byteOffset + start, 8);
}

function anyValue(buf: Uint8Array): AnyValue {
  const v: AnyValue = {};
  fields(buf, (f, w, r, start) => {
    if (f === 1 && w === WIRE_LEN) v.stringValue = r.readString();
    else if (f === 2 && w === WIRE_VARINT) v.boolValue = r.readVarint() !== 0;
    else if (f === 3 && w === WIRE_VARINT) v.intValue = r.readVarint();
    else if (f === 4 && w === WIRE_FIXED64) v.doubleValue = fixed64(buf, r, start).getFloat64(0, true);
  });
  return v;
}

function keyValue(buf: Uint8Array): KeyValue {
  const kv: KeyValue = { key: '', value: {} };
  fields(buf, (f, w, r) => {
    if (f === 1 && w === WIRE_LEN) kv.key = r.readString();
    else if (f === 2 && w === WIRE_LEN) kv.value = anyValue(r.readBytes());
  });
  return kv;
}

function dataPoint(buf: Uint8Array): NumberDataPoint {
  const p: NumberDataPoint = { attributes: [] };
  fields(buf, (f, w, r, start) => {
    if (f === 7 && w === WIRE_LEN) p.attributes.push(keyValue(r.readBytes()));
    else if (f === 2 && w === WIRE_FIXED64) p.startTimeUnixNano = fixed64(buf, r, start).getBigUint64(0, true).toString();
    else if (f === 3 && w === WIRE_FIXED64) p.timeUnixNano = fixed64(buf, r, start).getBigUint64(0, true).toString();
    else if (f === 4 && w === WIRE_FIXED64) p.asDouble = fixed64(buf, r, start).getFloat64(0, true);
    else if (f === 6 && w === WIRE_FIXED64) p.asInt = Number(fixed64(buf, r, start).getBigInt64(0, true));
  });
  return p;
}

function metric(buf: Uint8Array): DecodedMetric {
  const m: DecodedMetric = { name: '' };
  fields(buf, (f, w, r) => {
    if (f === 1 && w === WIRE_LEN) m.name = r.readString();
    else if (f === 2 && w === WIRE_LEN) m.description = r.readString();
    else if (f === 3 && w === WIRE_LEN) m.unit = r.readString();
    else if (f === 5 && w === WIRE_LEN) {
      const g = { dataPoints: [] as NumberDataPoint[] };
      fields(r.readBytes(), (gf, gw, gr) => {
        if (gf === 1 && gw === WIRE_LEN) g.dataPoints.push(dataPoint(gr.readBytes()));
      });
      m.gauge = g;
    } else if (f === 7 && w === WIRE_LEN) {
      const s: NonNullable<DecodedMetric['sum']> = { dataPoints: [] };
      fields(r.readBytes(), (sf, sw, sr) => {
        if (sf === 1 && sw === WIRE_LEN) s.dataPoints.push(dataPoint(sr.readBytes()));
        else if (sf === 2 && sw === WIRE_VARINT) s.aggregationTemporality = sr.readVarint();
        else if (sf === 3 && sw === WIRE_VARINT) s.isMonotonic = sr.readVarint() !== 0;
      });
      m.sum = s;
    }
  });
  return m;
}

/** ExportMetricsServiceRequest { repeated ResourceMetrics resource_metrics = 1; } */
export function decodeMetricsRequest(body: Uint8Array): DecodedRequest {
  const out: DecodedRequest = { resourceMetrics: [] };
  fields(body, (f, w, r) => {
    if (f !== 1 || w !== WIRE_LEN) return;
    const rm: DecodedRequest['resourceMetrics'][number] = { resource: { attributes: [] }, scopeMetrics: [] };
    fields(r.readBytes(), (rf, rw, rr) => {
      if (rf === 1 && rw === WIRE_LEN) {
        fields(rr.readBytes(), (af, aw, ar) => {
          if (af === 1 && aw === WIRE_LEN) rm.resource.attributes.push(keyValue(ar.readBytes()));
        });
      } else if (rf === 2 && rw === WIRE_LEN) {
        const sm: DecodedRequest['resourceMetrics'][number]['scopeMetrics'][number] = { scope: {}, metrics: [] };
        fields(rr.readBytes(), (sf, sw, sr) => {
          if (sf === 1 && sw === WIRE_LEN) {
            fields(sr.readBytes(), (cf, cw, cr) => {
              if (cf === 1 && cw === WIRE_LEN) sm.scope.name = cr.readString();
              else if (cf === 2 && cw === WIRE_LEN) sm.scope.version = cr.readString();
            });
          } else if (sf === 2 && sw === WIRE_LEN) sm.metrics.push(metric(sr.readBytes()));
        });
        rm.scopeMetrics.push(sm);
      }
    });
    out.resourceMetrics.push(rm);
  });
  return out;
}

/** Attributes as a plain object (string values as they are, numbers and booleans as written). */
export function attrs(list: KeyValue[]): Record<string, string | number | boolean | undefined> {
  return Object.fromEntries(list.map((kv) => [kv.key, kv.value.stringValue ?? kv.value.intValue ?? kv.value.doubleValue ?? kv.value.boolValue]));
}
