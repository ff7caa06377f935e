import { runInNewContext } from 'node:vm';
import { setFlagsFromString } from 'node:v8';

// V8 collects its old generation when the heap reaches a limit that grows with the heap, and a
// node holding maxmemory of data while keys churn (eviction, overwrites) leaves garbage behind at
// the rate it writes: measured, 1 GB of 1 KB SETs under maxmemory 100mb let the heap reach 355 MB
// (RSS 500 MB) with 100 MB live. With a limit set, the cron therefore starts a full collection
// when the garbage passes an eighth of the data (at least 16 MB): the same run then peaks at
// 277-287 MB of RSS (290-296 MB with a quarter and 32 MB), at the cost of one full collection per
// such amount of writes.

const MIB = 1024 * 1024;
let gc: (() => void) | undefined;

/** A full garbage collection, through gc() exposed for this purpose (the flag changes nothing else). */
export function collectGarbage(): void {
  if (gc === undefined) {
    // V8 installs gc() in contexts created after the flag is set.
    setFlagsFromString('--expose-gc');
    gc = runInNewContext('gc') as () => void;
  }
  gc();
}

/**
 * Called by the cron while maxmemory is set, with used_memory: collects when the heap holds more
 * garbage than allowed. Returns whether it collected.
 */
export function collectIfWasteful(used: number): boolean {
  const usage = process.memoryUsage();
  const allocated = usage.heapUsed + usage.arrayBuffers;
  if (allocated - used <= Math.max(used / 8, 16 * MIB)) return false;
  collectGarbage();
  return true;
}

/** Commands per second under which the node counts as idle. */
const IDLE_COMMANDS_PER_SECOND = 1000;
/**
 * Idle seconds before the collection: a full collection pauses the node for ~100-200 ms per
 * million keys, which must not land on a client that merely paused between two bursts.
 */
const IDLE_SECONDS_BEFORE_COLLECTING = 5;
let idleSeconds = 0;
/** Whether this idle spell already had its collection. */
let collectedWhileIdle = false;

/**
 * Called by the cron once a second with the commands run in that second. jemalloc gives Redis'
 * freed pages back in the background; V8's memory reducer seldom runs in a server that goes quiet
 * after a load (measured: RSS stayed at 190 bytes per small key for 30 s, 149 after a collection).
 * So once per idle spell, a node whose heap holds much more than its data collects, and its RSS
 * settles.
 */
export function collectWhenIdle(used: number, commandsLastSecond: number): boolean {
  if (commandsLastSecond >= IDLE_COMMANDS_PER_SECOND) {
    idleSeconds = 0;
    collectedWhileIdle = false;
    return false;
  }
  if (collectedWhileIdle || ++idleSeconds < IDLE_SECONDS_BEFORE_COLLECTING) return false;
  const usage = process.memoryUsage();
  if (usage.heapTotal + usage.arrayBuffers - used <= Math.max(used / 4, 32 * MIB)) return false;
  collectedWhileIdle = true;
  collectGarbage();
  return true;
}
