// zod without code generation: the dashboard's CSP has no 'unsafe-eval', so zod must neither compile parsers with
// `new Function` nor probe whether it may (Chromium reports the probe as a CSP violation even though zod catches it).
// zod decides when a schema is built, so main.ts imports this before any module that builds one
// (src/shared/protocolSchemas.ts).
import * as z from 'zod/mini';

z.config({ jitless: true });
