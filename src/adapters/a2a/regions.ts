/**
 * Country (ISO 3166-1 alpha-2) → selling region, the only context translation the A2A adapter
 * does. EU member states sell as EU; the United Kingdom is GB in ISO but UK as a region.
 * A country with no row sells as itself (CH → CH): whether that region is covered is then the
 * domain's call (a missing shipping policy blocks), never the adapter's.
 */
// biome-ignore format: one member state per entry reads as the list it is
const EU_MEMBER_STATES = [
  'AT', 'BE', 'BG', 'CY', 'CZ', 'DE', 'DK', 'EE', 'ES', 'FI', 'FR', 'GR', 'HR', 'HU', 'IE',
  'IT', 'LT', 'LU', 'LV', 'MT', 'NL', 'PL', 'PT', 'RO', 'SE', 'SI', 'SK',
] as const;

export const COUNTRY_REGIONS: Readonly<Record<string, string>> = Object.freeze({
  ...Object.fromEntries(EU_MEMBER_STATES.map((country) => [country, 'EU'])),
  US: 'US',
  GB: 'UK',
  UK: 'UK',
});

export function regionOfCountry(country: string): string {
  const upper = country.toUpperCase();
  return COUNTRY_REGIONS[upper] ?? upper;
}
