import { browserRegion, regionName, REGIONS } from './regions';

describe('phone regions', () => {
  it('are the ones the phones service accepts', () => {
    expect(REGIONS).toEqual(expect.arrayContaining(['SE', 'US', 'NO', 'GB']));
    expect(REGIONS).not.toContain(null);
  });

  it('take the browser’s region from its first locale that names one', () => {
    expect(browserRegion(['en', 'sv-SE'])).toBe('SE');
    expect(browserRegion(['en-US', 'sv-SE'])).toBe('US');
    expect(browserRegion(['en', 'not a tag'])).toBeUndefined();
  });

  it('are named in the UI’s language', () => {
    expect(regionName('SE', 'en')).toBe('Sweden (SE)');
    expect(regionName('SE', 'sv')).toBe('Sverige (SE)');
  });
});
