import type { CampaignInfo } from '../events/enriched';

/** Longer values are junk or abuse; dashboards group by these, so keep them to a readable size. */
export const UTM_VALUE_MAX_LENGTH = 256;

const UTM_PARAMS = ['utm_source', 'utm_medium', 'utm_campaign', 'utm_term', 'utm_content'] as const;

/**
 * Ad click id parameters, in the order we report them when a URL carries several. Only the name is kept:
 * the value identifies one click, hence one person.
 */
export const CLICK_ID_PARAMS = [
  'gclid',
  'gbraid',
  'wbraid',
  'dclid',
  'fbclid',
  'msclkid',
  'ttclid',
  'twclid',
  'li_fat_id',
  'yclid',
  'epik',
  'rdt_cid',
] as const;

function truncate(value: string, maxLength: number): string {
  if (value.length <= maxLength) return value;
  // Do not split a surrogate pair: a lone half would serialise as an escape and never group with the rest.
  const lastCode = value.charCodeAt(maxLength - 1);
  const cut = lastCode >= 0xd800 && lastCode <= 0xdbff ? maxLength - 1 : maxLength;
  return value.slice(0, cut);
}

/** UTM tags and the kind of ad click id on a page URL; absent or blank tags are omitted. */
export function parseCampaign(url: URL): CampaignInfo {
  const params = url.searchParams;
  const campaign: CampaignInfo = {};
  for (const name of UTM_PARAMS) {
    const value = params.get(name)?.trim();
    if (value) campaign[name] = truncate(value, UTM_VALUE_MAX_LENGTH).trimEnd();
  }
  // A bare `?gclid=` carries no click, so it does not count.
  const clickId = CLICK_ID_PARAMS.find((name) => params.get(name)?.trim());
  if (clickId) campaign.clickId = clickId;
  return campaign;
}
