export { HistoryStore, type HistoryStoreOptions } from './store';
export { toCsv, csvField, CSV_COLUMNS } from './csv';
export { downsampleMinMax, foldSeries, primaryValue } from './downsample';
export {
  DEFAULT_RETENTION,
  retentionFromSetting,
  type CorruptionReport,
  type ExportFilter,
  type ExportRow,
  type HistoryPoint,
  type RetentionOptions,
  type SeriesInfo,
} from './types';
