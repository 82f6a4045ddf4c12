// A positive wait on something outside the test's control (the operating system's file watcher, a debounce on a real
// timer): polls the condition until it holds, with a generous ceiling that only a real failure reaches. Never a sleep
// followed by an assertion: the wait ends the moment the condition holds, so a loaded machine is slower, not red.

export async function eventually(what: string, condition: () => boolean | Promise<boolean>, ceilingMs = 30_000): Promise<void> {
  const end = Date.now() + ceilingMs;
  while (!(await condition())) {
    if (Date.now() > end) throw new Error(`not within ${ceilingMs / 1000} s: ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
