// Chunk loaded when the Spend feature is first needed (dist/spend.js): the Spend view or its CSV export opens, this
// month's summary is first summed, a snapshot brings vendor days to store, or an account's days are forgotten.
// Activation does not need the spend arithmetic or its day store, so they stay out of the activation bundle.
export { SpendFeature } from './core/feature';
export { SpendDayStore } from './core/store';
