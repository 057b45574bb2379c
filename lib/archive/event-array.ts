/**
 * Splits a stream entry's `d` (a JSON array of event objects, as the ingest script stores it) into the byte
 * ranges of its elements, and reads each element's top-level `site`, without parsing the events: the
 * archiver copies the stored bytes into its files. Strings are skipped with Buffer.indexOf (memchr), so only
 * structural bytes go through the JS loop. The ingest path writes `d` from JSON.stringify output only, so
 * the input is trusted to be well-formed; verification re-parses every archived line anyway.
 */

export interface ElementSpan {
  /** Byte range of the element in `d`: [start, end). */
  start: number;
  end: number;
  /** Whether the element is an object (anything else cannot carry an address and goes to errors/). */
  isObject: boolean;
  /** The element's top-level `site` when it is a string. */
  site: string | undefined;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const COMMA = 0x2c;
const WHITESPACE = new Set([0x20, 0x0a, 0x0d, 0x09]);
/** Strings up to this long are scanned in JS; longer ones by Buffer.indexOf (a native call costs more). */
const SHORT_STRING_BYTES = 24;

/** Index of the quote that closes the string whose content starts at `from`, or -1. */
function closingQuote(data: Buffer, from: number): number {
  const limit = Math.min(from + SHORT_STRING_BYTES, data.length);
  let i = from;
  for (; i < limit; i++) {
    const byte = data[i];
    if (byte === QUOTE) return i;
    if (byte === BACKSLASH) i++;
  }
  for (;;) {
    const quote = data.indexOf(QUOTE, i);
    if (quote < 0) return -1;
    let backslashes = 0;
    for (let k = quote - 1; data[k] === BACKSLASH; k--) backslashes++;
    if (backslashes % 2 === 0) return quote;
    i = quote + 1;
  }
}

/** Whether the string at [open, close] is the key `"site"`. */
function isSiteKey(data: Buffer, open: number, close: number): boolean {
  return (
    close - open === 5 &&
    data[open + 1] === 0x73 &&
    data[open + 2] === 0x69 &&
    data[open + 3] === 0x74 &&
    data[open + 4] === 0x65
  );
}

export function splitEventArray(data: Buffer): ElementSpan[] {
  const spans: ElementSpan[] = [];
  // depth 1 = inside the outer array, 2 = inside one element.
  let depth = 0;
  let start = 0;
  let isObject = false;
  let site: string | undefined;
  let expectKey = false;
  let siteValueNext = false;
  for (let i = 0; i < data.length; i++) {
    const byte = data[i];
    if (byte === QUOTE) {
      const close = closingQuote(data, i + 1);
      if (close < 0) throw new SyntaxError('unterminated string in a stream entry');
      if (depth === 2 && isObject) {
        if (expectKey) {
          siteValueNext = isSiteKey(data, i, close);
          expectKey = false;
        } else if (siteValueNext) {
          site = JSON.parse(data.toString('utf8', i, close + 1)) as string;
          siteValueNext = false;
        }
      } else if (depth === 1) {
        spans.push({ start: i, end: close + 1, isObject: false, site: undefined });
      }
      i = close;
      continue;
    }
    if (byte === OPEN_BRACE || byte === OPEN_BRACKET) {
      depth++;
      if (depth === 2) {
        start = i;
        isObject = byte === OPEN_BRACE;
        site = undefined;
        expectKey = isObject;
        siteValueNext = false;
      }
    } else if (byte === CLOSE_BRACE || byte === CLOSE_BRACKET) {
      if (depth === 2) spans.push({ start, end: i + 1, isObject, site });
      depth--;
    } else if (byte === COMMA) {
      if (depth === 2) {
        expectKey = isObject;
        siteValueNext = false;
      }
    } else if (depth === 1 && byte !== undefined && !WHITESPACE.has(byte)) {
      // A bare scalar element (number, true, false, null): not an event object.
      let end = i;
      while (end < data.length && data[end] !== COMMA && data[end] !== CLOSE_BRACKET) end++;
      spans.push({ start: i, end, isObject: false, site: undefined });
      i = end - 1;
    }
  }
  return spans;
}

/** A field of a stream entry read as buffers (XREAD/XRANGE …Buffer); names are compared without decoding. */
export function bufferField(fields: readonly Buffer[], name: string): Buffer | undefined {
  for (let i = 0; i + 1 < fields.length; i += 2) {
    if (sameAscii(fields[i], name)) return fields[i + 1];
  }
  return undefined;
}

function sameAscii(bytes: Buffer | undefined, text: string): boolean {
  if (bytes === undefined || bytes.length !== text.length) return false;
  for (let i = 0; i < text.length; i++) if (bytes[i] !== text.charCodeAt(i)) return false;
  return true;
}
