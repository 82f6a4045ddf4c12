// A lease that is always held: one window, no contention (scheduler, hostile-server and boundary tests, the bench).
import type { Lease } from '../../src/core/state/lease';

/** Always the leader. */
export class AlwaysLeader implements Lease {
  private held = false;
  async tryAcquire(): Promise<boolean> {
    this.held = true;
    return true;
  }
  async renew(): Promise<boolean> {
    return this.held;
  }
  async release(): Promise<void> {
    this.held = false;
  }
  isHeld(): boolean {
    return this.held;
  }
}
