// The window's date and time fields follow the language chosen in CalWatch, not WebKit's
// own locale: Korean year first and 오전/오후, American month first and AM/PM, British
// day first on a 24-hour clock; the value stays ISO whatever the order.
import { afterEach, describe, expect, it } from 'vitest';
import { fireEvent, render, screen } from '@testing-library/svelte';
import { setLocale } from '../src/lib/i18n.svelte';
import DateField from '../src/components/DateField.svelte';
import TimeField from '../src/components/TimeField.svelte';

afterEach(() => setLocale({ language: 'en', dateTag: 'en-GB', hourCycle: 'automatic' }));

/** The parts' test ids (and literals) in the order they are drawn. */
function order(testid: string): string[] {
  const group = screen.getByTestId(testid);
  return [...group.querySelectorAll('[data-testid]')].map((el) => (el as HTMLElement).dataset.testid!.slice(testid.length + 1));
}

describe('date field', () => {
  it('is typed year, month, day in Korean, with Korean labels', () => {
    setLocale({ language: 'ko', dateTag: 'ko-KR', hourCycle: 'automatic' });
    render(DateField, { props: { id: 'd', testid: 'd', value: '2026-12-03' } });
    expect(order('d')).toEqual(['year', 'month', 'day']);
    expect(screen.getByTestId('d-year').getAttribute('aria-label')).toBe('연도');
    expect((screen.getByTestId('d-day') as HTMLInputElement).value).toBe('3');
  });

  it('is typed month first in the US and day first in Britain', () => {
    setLocale({ language: 'en', dateTag: 'en-US', hourCycle: 'automatic' });
    const us = render(DateField, { props: { id: 'd', testid: 'd', value: '2026-12-03' } });
    expect(order('d')).toEqual(['month', 'day', 'year']);
    us.unmount();
    setLocale({ language: 'en', dateTag: 'en-GB', hourCycle: 'automatic' });
    render(DateField, { props: { id: 'd', testid: 'd', value: '2026-12-03' } });
    expect(order('d')).toEqual(['day', 'month', 'year']);
  });
});

describe('time field', () => {
  it('puts 오전/오후 before the hour in Korean and gives a 24-hour value', async () => {
    setLocale({ language: 'ko', dateTag: 'ko-KR', hourCycle: 'automatic' });
    let told = '';
    render(TimeField, { props: { testid: 't', value: '09:05', onchange: (v: string) => (told = v) } });
    expect(order('t')).toEqual(['period', 'hour', 'minute']);
    const period = screen.getByTestId('t-period') as HTMLSelectElement;
    // The words are the platform's data (Node's may be English; WebKit's are 오전/오후).
    expect(period.options).toHaveLength(2);
    await fireEvent.change(period, { target: { value: 'pm' } });
    expect(told).toBe('21:05');
  });

  it('has no AM/PM on a British clock, and follows the 12-hour override', async () => {
    render(TimeField, { props: { testid: 't', value: '21:05' } });
    expect(order('t')).toEqual(['hour', 'minute']);
    expect((screen.getByTestId('t-hour') as HTMLInputElement).value).toBe('21');
    setLocale({ language: 'en', dateTag: 'en-GB', hourCycle: 'h12' });
    await Promise.resolve();
    expect(order('t')).toContain('period');
  });
});
