// Chunk loaded after activation (dist/usage.js): local agent log readers, pricing and their queries.
export { UsageScanner } from '../../core/usage/scanner';
export { PricingService } from '../../core/usage/pricingStore';
export { readApiUsage } from '../../core/usage/ingestStore';
export { queryUsage, totalOf, todayRange, monthRange } from '../../core/usage/query';
