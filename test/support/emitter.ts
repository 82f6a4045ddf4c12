// A minimal stand-in for vscode.EventEmitter in unit tests: `event` subscribes, `fire` delivers, `size` counts the
// listeners still attached (to check that a component let go of them).
type Listener<T> = (e: T) => void;

export class TestEmitter<T> {
  private listeners = new Set<Listener<T>>();
  event = (l: Listener<T>) => {
    this.listeners.add(l);
    return { dispose: () => this.listeners.delete(l) };
  };
  fire(e: T) {
    for (const l of [...this.listeners]) l(e);
  }
  get size() {
    return this.listeners.size;
  }
  dispose() {
    this.listeners.clear();
  }
}
