import type { EnrichedEvent } from '../events/enriched';

/**
 * The event fields a window definition may group by, filter on and aggregate, and their precompiled
 * accessors. Accessors are built once per definition, so the fold never parses a field name per event.
 */

export type Scalar = string | number | boolean | null;

/** Reads one field of an event; `undefined` when the event does not carry it. */
export type FieldAccessor = (event: EnrichedEvent, ingestMs: number) => Scalar | undefined;

/** Scalar fields of the enriched event, by their names in definitions and SQL. */
export const EVENT_FIELDS = [
  'site',
  'type',
  'path',
  'host',
  'url',
  'title',
  'referrer',
  'source',
  'sourceType',
  'referrerDomain',
  'utm_source',
  'utm_medium',
  'utm_campaign',
  'utm_term',
  'utm_content',
  'clickId',
  'browser',
  'browserVersion',
  'os',
  'osVersion',
  'device',
  'country',
  'visitor',
  'ts',
  'engagedMs',
  'screenWidth',
  'target.selector',
  'target.tag',
  'target.text',
  'target.href',
  'target.outbound',
  'ingest_time',
] as const;

export type EventFieldName = (typeof EVENT_FIELDS)[number];

/** Fields that always hold numbers; `props.*` may too, so numeric aggregates accept those as well. */
export const NUMERIC_FIELDS: readonly string[] = ['ts', 'engagedMs', 'screenWidth', 'ingest_time'];

const PROPS_PREFIX = 'props.';
const KNOWN = new Set<string>(EVENT_FIELDS);

export function isPropsField(name: string): boolean {
  return name.startsWith(PROPS_PREFIX) && name.length > PROPS_PREFIX.length && name.length <= 70;
}

/** Why `name` is not a usable field (the message lists the valid ones), or undefined when it is. */
export function fieldProblem(name: string): string | undefined {
  if (KNOWN.has(name) || isPropsField(name)) return undefined;
  return `unknown field "${name}"; valid fields: ${EVENT_FIELDS.join(', ')}, props.<name>`;
}

export function numericFieldProblem(name: string): string | undefined {
  if (NUMERIC_FIELDS.includes(name) || isPropsField(name)) return undefined;
  return `"${name}" is not a number field; use one of ${NUMERIC_FIELDS.join(', ')} or props.<name>`;
}

/** Only scalars count: a prop named like an Object.prototype member must not leak a function. */
function scalarOrUndefined(value: unknown): Scalar | undefined {
  const kind = typeof value;
  return kind === 'string' || kind === 'number' || kind === 'boolean' ? (value as Scalar) : undefined;
}

/** One closure per field, so each call site stays a plain property load. */
export function compileField(name: string): FieldAccessor {
  if (isPropsField(name)) {
    const prop = name.slice(PROPS_PREFIX.length);
    return (e) => (e.props === undefined ? undefined : scalarOrUndefined(e.props[prop]));
  }
  const field = name as EventFieldName;
  switch (field) {
    case 'site':
      return (e) => e.site;
    case 'type':
      return (e) => e.type;
    case 'path':
      return (e) => e.path;
    case 'host':
      return (e) => e.host;
    case 'url':
      return (e) => e.url;
    case 'title':
      return (e) => e.title;
    case 'referrer':
      return (e) => e.referrer;
    case 'source':
      return (e) => e.source;
    case 'sourceType':
      return (e) => e.sourceType;
    case 'referrerDomain':
      return (e) => e.referrerDomain;
    case 'utm_source':
      return (e) => e.utm_source;
    case 'utm_medium':
      return (e) => e.utm_medium;
    case 'utm_campaign':
      return (e) => e.utm_campaign;
    case 'utm_term':
      return (e) => e.utm_term;
    case 'utm_content':
      return (e) => e.utm_content;
    case 'clickId':
      return (e) => e.clickId;
    case 'browser':
      return (e) => e.browser;
    case 'browserVersion':
      return (e) => e.browserVersion;
    case 'os':
      return (e) => e.os;
    case 'osVersion':
      return (e) => e.osVersion;
    case 'device':
      return (e) => e.device;
    case 'country':
      return (e) => e.country;
    case 'visitor':
      return (e) => e.visitor;
    case 'ts':
      return (e) => e.ts;
    case 'engagedMs':
      return (e) => e.engagedMs;
    case 'screenWidth':
      return (e) => e.screenWidth;
    case 'target.selector':
      return (e) => e.target?.selector;
    case 'target.tag':
      return (e) => e.target?.tag;
    case 'target.text':
      return (e) => e.target?.text;
    case 'target.href':
      return (e) => e.target?.href;
    case 'target.outbound':
      return (e) => e.target?.outbound;
    case 'ingest_time':
      return (_e, ingestMs) => ingestMs;
    default:
      throw new Error(fieldProblem(name) ?? `unknown field "${name}"`);
  }
}
