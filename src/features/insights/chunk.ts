// Chunk loaded right after activation (dist/insights.js): usage history, pace, charts and notifications.
export { HistoryStore, retentionFromSetting, writeHistoryExport, writeThroughTemp } from '../../core/history';
export { Insights } from './core/insights';
export { NotificationRelay } from '../../core/alerts/relay';
export { MirroredAlertStateStore } from '../../core/alerts/mirror';
export { FileAlertStateStore } from '../../core/alerts/stateStore';
export { NotificationsController, windowFocus } from '../notifications/notifications';
