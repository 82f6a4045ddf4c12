// The HTTP client runs in a lazily loaded chunk (dist/net.js) that carries its own copy of ProviderError. An error it
// throws must still be a ProviderError to the extension's bundle, with its kind: a proxy's 407 is "proxy", a timeout
// "timeout" — not "network" (the dashboard said "Unreachable" for a proxy that wanted a password).
import { test } from 'node:test';
import assert from 'node:assert/strict';

function freshCopy(): typeof import('../../../src/core/errors') {
  const file = require.resolve('../../../src/core/errors');
  const saved = require.cache[file];
  delete require.cache[file];
  try {
    return require(file) as typeof import('../../../src/core/errors');
  } finally {
    if (saved) require.cache[file] = saved;
  }
}

test('a ProviderError made by another copy of the module (another bundle) is a ProviderError here, kind kept', () => {
  const here = require('../../../src/core/errors') as typeof import('../../../src/core/errors');
  const chunk = freshCopy();
  assert.notEqual(chunk.ProviderError, here.ProviderError, 'two copies, as in two bundles');
  const fromChunk = new chunk.ProviderError('proxy', 'Proxy authentication required (407) by 127.0.0.1:3128', { status: 407 });
  assert.ok(fromChunk instanceof here.ProviderError);
  const mapped = here.toProviderError(fromChunk);
  assert.equal(mapped.kind, 'proxy');
  assert.equal(mapped.status, 407);
  assert.equal(here.toProviderError(new chunk.ProviderError('timeout', 'No answer')).kind, 'timeout');
  assert.ok(!(new Error('x') instanceof here.ProviderError));
  assert.ok(!((null as unknown as object) instanceof here.ProviderError));
  assert.ok(!({ kind: 'auth', name: 'ProviderError' } instanceof here.ProviderError), 'a look-alike object is not one');
});
