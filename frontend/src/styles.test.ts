/**
 * The palette meets WCAG 2.2 AA in both themes: every pair the components use, computed
 * from styles.css's custom properties (light: :root; dark: the prefers-color-scheme
 * block). Text 4.5:1 (1.4.3); input borders and the focus ring 3:1 (1.4.11).
 * Contrast ratio and relative luminance as WCAG 2.2 defines them.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const css = readFileSync(join(__dirname, 'styles.css'), 'utf8');

function tokens(block: string): Record<string, string> {
  return Object.fromEntries([...block.matchAll(/--([\w-]+):\s*(#[0-9a-f]{6})\s*;/gi)].map((m) => [m[1], m[2]]));
}

const rootBlock = css.slice(css.indexOf(':root {'), css.indexOf('}', css.indexOf(':root {')));
const darkStart = css.indexOf('@media (prefers-color-scheme: dark)');
const darkBlock = css.slice(darkStart, css.indexOf('}', darkStart));
const light = tokens(rootBlock);
const dark = { ...light, ...tokens(darkBlock) };

function luminance(hex: string): number {
  const [r, g, b] = [1, 3, 5].map((i) => {
    const c = parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

export function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

// [foreground, background, minimum ratio]
const PAIRS: [string, string, number][] = [
  ...['bg', 'surface', 'surface-2'].flatMap((bg): [string, string, number][] => [
    ['text', bg, 4.5],
    ['muted', bg, 4.5],
    ['accent', bg, 4.5],
    ['danger', bg, 4.5],
    ['focus', bg, 3],
    ['border-strong', bg, 3],
  ]),
  ['success', 'surface', 4.5],
  ['on-color', 'accent', 4.5],
  ['on-color', 'accent-hover', 4.5],
  ['on-color', 'danger', 4.5],
  ['on-color', 'danger-text', 4.5],
  ['accent-soft-text', 'accent-soft', 4.5],
  ['danger-text', 'danger-soft', 4.5],
  ['danger', 'danger-soft', 4.5],
  ['success-text', 'success-soft', 4.5],
  ['warn-text', 'warn-soft', 4.5],
  ['warn-text', 'surface', 4.5],
  ['header-text', 'header-bg', 4.5],
  ['header-focus', 'header-bg', 3],
];

describe.each([
  ['light', light],
  ['dark', dark],
])('the %s palette', (_name, palette) => {
  it.each(PAIRS)('%s on %s reaches %s:1', (fg, bg, minimum) => {
    expect(palette[fg]).toMatch(/^#[0-9a-f]{6}$/i);
    expect(palette[bg]).toMatch(/^#[0-9a-f]{6}$/i);
    expect(contrast(palette[fg], palette[bg])).toBeGreaterThanOrEqual(minimum);
  });
});

it('the dark theme sets every colour the light one does', () => {
  const lightColours = Object.keys(light).sort();
  expect(Object.keys(tokens(darkBlock)).sort()).toEqual(lightColours);
});

it('computes the contrast as WCAG does', () => {
  expect(contrast('#000000', '#ffffff')).toBeCloseTo(21, 5);
  expect(contrast('#777777', '#ffffff')).toBeCloseTo(4.48, 2);
});
