/**
 * An append-only NDJSON text built straight into large buffers: records are copied in from the stream
 * entries' bytes, so a batch costs a few large allocations instead of several small ones per record, and
 * the chunks go to gzip as they are. Chunks double in size (64 KB … 8 MB): each gzip write is one job on
 * the libuv thread pool that needs the main thread only at its end, so few, large writes let compression
 * run on another core while the main thread reads and splits the next batch.
 */
const FIRST_CHUNK_BYTES = 64 * 1024;
const MAX_CHUNK_BYTES = 8 * 1024 * 1024;

export class NdjsonBuffer {
  /** Completed records. */
  count = 0;
  /** Bytes of text so far. */
  bytes = 0;
  firstId: string | null = null;
  lastId: string | null = null;
  private readonly done: Buffer[] = [];
  private current = Buffer.allocUnsafe(0);
  private position = 0;
  private nextChunkBytes = FIRST_CHUNK_BYTES;

  /** Appends bytes of `source` in [start, end). */
  copy(source: Buffer, start: number, end: number): void {
    this.reserve(end - start);
    source.copy(this.current, this.position, start, end);
    this.position += end - start;
    this.bytes += end - start;
  }

  /** Appends ASCII-only text (addresses, numbers) without UTF-8 encoding work. */
  ascii(text: string): void {
    this.reserve(text.length);
    this.current.write(text, this.position, text.length, 'latin1');
    this.position += text.length;
    this.bytes += text.length;
  }

  append(text: string): void {
    const length = Buffer.byteLength(text);
    this.reserve(length);
    this.current.write(text, this.position, length, 'utf8');
    this.position += length;
    this.bytes += length;
  }

  /** Marks the end of one record (its text already appended, newline included). */
  endRecord(id: string): void {
    this.count++;
    this.firstId ??= id;
    this.lastId = id;
  }

  /** The text as buffers, in order (valid until the next append). */
  chunks(): Buffer[] {
    return this.position === 0 ? [...this.done] : [...this.done, this.current.subarray(0, this.position)];
  }

  private reserve(length: number): void {
    if (this.position + length <= this.current.length) return;
    if (this.position > 0) this.done.push(this.current.subarray(0, this.position));
    this.current = Buffer.allocUnsafe(Math.max(this.nextChunkBytes, length));
    this.nextChunkBytes = Math.min(this.nextChunkBytes * 2, MAX_CHUNK_BYTES);
    this.position = 0;
  }
}
