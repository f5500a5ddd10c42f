/**
 * Read-ahead of one element: while the consumer works on element n, the source is already producing element n+1.
 *
 * Why: a full import alternates between waiting for the directory server (the next page) and processing a batch;
 * the server runs on its own process (another core, another machine), so asking for the next page before
 * processing the current one overlaps the two. One element ahead, never more: memory stays at two batches.
 *
 * What could go wrong: the prefetched promise rejecting while nobody awaits it (an unhandled rejection that kills
 * the process), and the source left open when the consumer stops early. Both are handled: the pending promise is
 * always observed, and `return()` of the source runs when the consumer leaves the loop in any way.
 */
export async function* readAhead<T>(source: AsyncIterable<T>): AsyncGenerator<T> {
  const iterator = source[Symbol.asyncIterator]();
  let next = iterator.next();
  next.catch(() => {}); // observed below; this only keeps an early exit from reporting it as unhandled
  let done = false;
  try {
    for (;;) {
      const result = await next;
      if (result.done === true) {
        done = true;
        return;
      }
      next = iterator.next();
      next.catch(() => {});
      yield result.value;
    }
  } finally {
    if (!done) {
      // Let the request in flight settle before closing the source, so its connection is not torn down mid-read.
      await next.catch(() => undefined);
      await iterator.return?.();
    }
  }
}
