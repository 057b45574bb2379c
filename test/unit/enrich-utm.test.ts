import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseCampaign, UTM_VALUE_MAX_LENGTH } from '../../lib/enrich/utm';
import type { CampaignInfo } from '../../lib/events/enriched';

const cases: Array<{ name: string; url: string; expected: CampaignInfo }> = [
  { name: 'no query string', url: 'https://shop.com/', expected: {} },
  { name: 'unrelated parameters', url: 'https://shop.com/search?q=shoes&page=2', expected: {} },
  {
    name: 'all five UTM tags',
    url: 'https://shop.com/?utm_source=newsletter&utm_medium=email&utm_campaign=spring_sale&utm_term=running+shoes&utm_content=hero-button',
    expected: {
      utm_source: 'newsletter',
      utm_medium: 'email',
      utm_campaign: 'spring_sale',
      utm_term: 'running shoes',
      utm_content: 'hero-button',
    },
  },
  {
    name: 'values are decoded and trimmed',
    url: 'https://shop.com/?utm_source=%20Google%20&utm_campaign=Black%20Friday%20%F0%9F%8E%89',
    expected: { utm_source: 'Google', utm_campaign: 'Black Friday 🎉' },
  },
  {
    name: 'empty and blank tags are omitted',
    url: 'https://shop.com/?utm_source=&utm_medium=%20%20&utm_campaign=launch',
    expected: { utm_campaign: 'launch' },
  },
  {
    name: 'parameter names are case-sensitive, as in Google Analytics',
    url: 'https://shop.com/?UTM_SOURCE=google',
    expected: {},
  },
  {
    name: 'gclid is reported by name only',
    url: 'https://shop.com/?gclid=Cj0KCQjw-secret-click-value',
    expected: { clickId: 'gclid' },
  },
  {
    name: 'click id alongside UTM tags',
    url: 'https://shop.com/?utm_source=facebook&utm_medium=paid_social&fbclid=IwAR2xyz',
    expected: { utm_source: 'facebook', utm_medium: 'paid_social', clickId: 'fbclid' },
  },
  {
    name: 'several click ids: the first in the list wins, not the first in the URL',
    url: 'https://shop.com/?msclkid=abc&fbclid=def',
    expected: { clickId: 'fbclid' },
  },
  {
    name: 'LinkedIn li_fat_id',
    url: 'https://shop.com/?li_fat_id=1234-5678',
    expected: { clickId: 'li_fat_id' },
  },
  { name: 'Reddit rdt_cid', url: 'https://shop.com/?rdt_cid=42', expected: { clickId: 'rdt_cid' } },
  { name: 'Google iOS wbraid', url: 'https://shop.com/?wbraid=Cl0KCQ', expected: { clickId: 'wbraid' } },
  { name: 'an empty click id is no click', url: 'https://shop.com/?gclid=&ttclid=', expected: {} },
  {
    name: 'click id in a fragment is not a query parameter',
    url: 'https://shop.com/#gclid=abc',
    expected: {},
  },
];

for (const { name, url, expected } of cases) {
  test(`parseCampaign: ${name}`, () => {
    assert.deepEqual(parseCampaign(new URL(url)), expected);
  });
}

test('parseCampaign never stores a click id value', () => {
  const value = 'EAIaIQobChMI-unique-person-click';
  for (const param of ['gclid', 'gbraid', 'dclid', 'msclkid', 'ttclid', 'twclid', 'yclid', 'epik']) {
    const campaign = parseCampaign(new URL(`https://shop.com/?${param}=${value}`));
    assert.deepEqual(campaign, { clickId: param });
    assert.ok(!JSON.stringify(campaign).includes(value));
  }
});

test(`parseCampaign caps values at ${UTM_VALUE_MAX_LENGTH} characters`, () => {
  const campaign = parseCampaign(new URL(`https://shop.com/?utm_campaign=${'a'.repeat(1000)}&utm_source=ok`));
  assert.equal(campaign.utm_campaign, 'a'.repeat(UTM_VALUE_MAX_LENGTH));
  assert.equal(campaign.utm_source, 'ok');
});

test('parseCampaign does not cut an emoji in half at the cap', () => {
  const value = `${'a'.repeat(UTM_VALUE_MAX_LENGTH - 1)}😀tail`;
  const campaign = parseCampaign(new URL(`https://shop.com/?utm_content=${encodeURIComponent(value)}`));
  assert.equal(campaign.utm_content, 'a'.repeat(UTM_VALUE_MAX_LENGTH - 1));
});
