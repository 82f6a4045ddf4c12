// Chunk loaded when team export is turned on or previewed (dist/export.js): the OpenTelemetry SDK and the OTLP
// serializers are not needed to activate the extension, so they stay out of the activation bundle.
export { ExportRunner } from '../../core/export/runner';
export { createTarget } from '../../core/export/targets';
