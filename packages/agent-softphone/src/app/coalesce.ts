/**
 * Runs `task` at most once at a time: calls made while it runs collapse into one more run after
 * it. A burst of pushes (sixty agents changing state at shift start) then costs two fetches, not
 * sixty, and the last fetch always starts after the last push.
 */
export function coalesce(task: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | null = null;
  let again = false;
  const run = (): Promise<void> => {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      try {
        do {
          again = false;
          await task();
        } while (again);
      } finally {
        running = null;
      }
    })();
    return running;
  };
  return run;
}
