/** A connection whose replies can wait in a FlushQueue. */
export interface QueuedWriter {
  /** In the queue now (set and cleared by the queue only). */
  flushQueued: boolean;
  /** Writes what the connection has pending. */
  flush(): void;
}

/**
 * Connections whose replies wait for the end of this event-loop turn: one setImmediate writes
 * them all once libuv has run every read its poll returned, as Redis writes its replies in
 * beforeSleep. On a virtual machine, waking a process on another CPU costs an interrupt through
 * the hypervisor, the largest single cost of an unpipelined request (10% of our profile under
 * memcaslap); replies written back to back find the client still awake, where a write after each
 * read wakes a client that went back to sleep in between.
 */
export class FlushQueue {
  private readonly waiting: QueuedWriter[] = [];
  private scheduled = false;

  add(writer: QueuedWriter): void {
    if (writer.flushQueued) return;
    writer.flushQueued = true;
    this.waiting.push(writer);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(this.flushAll);
  }

  private readonly flushAll = (): void => {
    this.scheduled = false;
    const waiting = this.waiting;
    for (let i = 0; i < waiting.length; i++) {
      const writer = waiting[i]!;
      writer.flushQueued = false;
      writer.flush();
    }
    waiting.length = 0;
  };
}
