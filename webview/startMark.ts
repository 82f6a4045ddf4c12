// Marks the start of the dashboard script for the render benchmark (bench/dashboard.ts); a no-op otherwise.
// A module of its own, imported first by main.ts: imported modules run before the importing module's own code, so a
// mark in main.ts's body came only after uPlot's and the other modules' start-up.
performance.mark('tokstat:script-start');
