/** A Redis stream id, `<milliseconds>-<sequence>`, as a client sends it back (Last-Event-ID). */
const STREAM_ID = /^(\d{1,15})-(\d{1,15})$/;

export function isStreamId(text: string): boolean {
  return STREAM_ID.test(text);
}

/** Negative, zero or positive as `a` is before, equal to or after `b` (both valid stream ids). */
export function compareStreamIds(a: string, b: string): number {
  const [aMs, aSeq] = parts(a);
  const [bMs, bSeq] = parts(b);
  return aMs - bMs || aSeq - bSeq;
}

/** When Redis stored the entry: the id's milliseconds part. */
export function streamIdTime(id: string): number {
  return parts(id)[0];
}

function parts(id: string): [number, number] {
  const dash = id.indexOf('-');
  return [Number(id.slice(0, dash)), Number(id.slice(dash + 1))];
}
