export { HistoryStore, type HistoryStoreOptions } from './store';
export { csvField, csvLine } from './csv';
export { EXPORT_COLUMNS, writeHistoryExport, writeThroughTemp, type ExportAccount, type ExportFormat, type HistoryExportOptions } from './export';
export { downsampleMinMax, foldSeries, primaryValue } from './downsample';
export {
  DEFAULT_RETENTION,
  retentionFromSetting,
  type CorruptionReport,
  type ExportRow,
  type HistoryPoint,
  type RetentionOptions,
  type SeriesInfo,
} from './types';
