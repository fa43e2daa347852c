import type { ExportFormat } from '@tillit/sdk';
import { h } from '@tillit/ui-kit';
import { failed, type PortalView, section } from './view.js';

/** Download buttons (Art. 20): JSON and CSV, each disabled while its download runs. */
export function downloads(v: PortalView): HTMLElement {
  const { t } = v;
  const button = (format: ExportFormat, label: string) =>
    h(
      'button',
      {
        type: 'button',
        onclick: async (event: Event) => {
          const b = event.currentTarget as HTMLButtonElement;
          b.disabled = true;
          try {
            await v.backend.download(format);
          } catch (error) {
            failed(v, error);
          } finally {
            b.disabled = false;
          }
        },
      },
      label,
    );
  return section(
    v,
    'tp-download',
    t.download,
    h('p', {}, t.downloadHelp),
    h('div', { class: 'row' }, button('json', t.json), button('csv', t.csv)),
  );
}
