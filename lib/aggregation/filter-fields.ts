/**
 * Fields a dashboard filter (and the ad-hoc query API's `filter=<field>:<value>`) may restrict on, by
 * equality. One list for the server and the browser, so the URL and the API accept the same fields.
 */
export const FILTER_FIELDS = [
  'path',
  'source',
  'referrerDomain',
  'device',
  'browser',
  'os',
  'country',
  'utm_source',
  'utm_medium',
  'utm_campaign',
  'type',
] as const;
export type FilterField = (typeof FILTER_FIELDS)[number];
