// The OpenTelemetry side of the export, on the official SDK: a MeterProvider of our own (never the global one: other
// extensions share the process) with observable instruments that read the current metric families, a manual reader
// that collects on our schedule, and the official OTLP serializers (@opentelemetry/otlp-transformer) for the body.
// Sending is not the SDK's: the body goes out through tokstat's HttpClient (proxy-aware, https except loopback,
// bounded answer), by the export runner (runner.ts). This module is in the lazy `export` chunk (src/features/export/chunk.ts).
import { AggregationTemporality, InstrumentType, MeterProvider, MetricReader, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { JsonMetricsSerializer, ProtobufMetricsSerializer } from '@opentelemetry/otlp-transformer';
import type { Attributes, ObservableResult } from '@opentelemetry/api';
import { FAMILY_SPECS, type MetricFamily } from './metrics';

export type OtlpProtocol = 'http/protobuf' | 'http/json';
export type Temporality = 'cumulative' | 'delta';

export const OTLP_CONTENT_TYPE: Record<OtlpProtocol, string> = { 'http/protobuf': 'application/x-protobuf', 'http/json': 'application/json' };

/** Collects only when asked (the export runner's tick, the preview, the CLI's --once). */
class ManualReader extends MetricReader {
  protected onShutdown(): Promise<void> {
    return Promise.resolve();
  }
  protected onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
}

/** One encoder per resource: keeps start times (and delta state) across collections, as an SDK pipeline would. */
export class OtlpEncoder {
  private readonly provider: MeterProvider;
  private readonly reader: ManualReader;
  private current: readonly MetricFamily[] = [];

  constructor(resource: Record<string, string>, version: string, temporality: Temporality = 'cumulative') {
    const delta = temporality === 'delta';
    this.reader = new ManualReader({
      aggregationTemporalitySelector: (t) =>
        delta && (t === InstrumentType.COUNTER || t === InstrumentType.OBSERVABLE_COUNTER || t === InstrumentType.HISTOGRAM)
          ? AggregationTemporality.DELTA
          : AggregationTemporality.CUMULATIVE,
    });
    this.provider = new MeterProvider({ resource: resourceFromAttributes(resource), readers: [this.reader] });
    const meter = this.provider.getMeter('tokstat', version);
    for (const spec of FAMILY_SPECS) {
      const opts = { description: spec.description, ...(spec.unit ? { unit: spec.unit } : {}) };
      const observe = (r: ObservableResult<Attributes>) => {
        const f = this.current.find((x) => x.name === spec.name);
        for (const p of f?.points ?? []) r.observe(p.value, { ...p.attrs, ...(p.otel ?? {}) });
      };
      if (spec.kind === 'counter') meter.createObservableCounter(spec.name, opts).addCallback(observe);
      else meter.createObservableGauge(spec.name, opts).addCallback(observe);
    }
  }

  /** The ExportMetricsServiceRequest of these families, as the SDK collected it. */
  async collect(families: readonly MetricFamily[]): Promise<ResourceMetrics> {
    this.current = families;
    try {
      const { resourceMetrics, errors } = await this.reader.collect();
      if (errors.length) throw new Error(`metric collection failed: ${String(errors[0])}`);
      return resourceMetrics;
    } finally {
      this.current = [];
    }
  }

  async encode(families: readonly MetricFamily[], protocol: OtlpProtocol): Promise<Uint8Array> {
    const rm = await this.collect(families);
    const body = protocol === 'http/json' ? JsonMetricsSerializer.serializeRequest(rm) : ProtobufMetricsSerializer.serializeRequest(rm);
    if (!body) throw new Error('the OTLP serializer produced no body');
    return body;
  }

  async dispose(): Promise<void> {
    await this.provider.shutdown().catch(() => undefined);
  }
}
