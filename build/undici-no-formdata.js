'use strict';
// Stands in for undici/lib/web/fetch/body.js inside the HTTP/1 and HTTP/2 clients, which load it only to encode a
// FormData request body. tokstat sends string bodies only, so the fetch/WebIDL/FormData machinery (~40 KB) is not
// shipped; a FormData body fails loudly instead of silently.
module.exports = {
  extractBody() {
    throw new Error('tokstat: FormData request bodies are not supported by this build of undici');
  },
};
