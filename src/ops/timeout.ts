/**
 * `work`, or a rejection (`lateError`) after `ms`: an operator's probe or scrape, or an
 * agent's action, must not hang on a part that hangs. The abandoned work's own failure is ignored.
 */
export async function withTimeout<T>(work: Promise<T>, ms: number, lateError: () => Error = () => new Error(`no answer in ${ms} ms`)): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(lateError()), ms);
  });
  work.catch(() => undefined);
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}
