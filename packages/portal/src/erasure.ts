import { h } from '@tillit/ui-kit';
import { fill } from './texts.js';
import { dateTime, failed, heading, type PortalView, say, section } from './view.js';

/** After erasure: the receipt replaces everything, with the focus on it; nothing is listened to anymore. */
function showReceipt(v: PortalView, receipt: { receiptId: string; erasedAt?: string }): void {
  const { t } = v;
  v.unsubscribe?.();
  v.answer = null;
  const done = heading(v, t.erased, 'tp-erased');
  v.body.replaceChildren(
    h(
      'section',
      { 'aria-labelledby': 'tp-erased', class: 'receipt' },
      done,
      h('p', {}, fill(t.receipt, { id: receipt.receiptId, time: dateTime(v, receipt.erasedAt ?? new Date().toISOString()) })),
      !v.backend.wipesLocal && h('p', {}, t.erasedStandalone),
    ),
  );
  say(v, '');
  done.focus();
}

/** Erasure (Art. 17) in two deliberate steps: the confirmation opens with the focus on Cancel. */
export function erasure(v: PortalView): HTMLElement {
  const { t } = v;
  const start = h('button', { type: 'button', class: 'danger' }, t.eraseStart);
  const cancel = h('button', { type: 'button' }, t.cancel);
  const yes = h('button', { type: 'button', class: 'danger' }, t.eraseYes);
  const confirm = h(
    'div',
    { role: 'group', 'aria-labelledby': 'tp-confirm', class: 'confirm', hidden: true },
    h('p', { id: 'tp-confirm' }, t.eraseConfirm),
    h('div', { class: 'row' }, yes, cancel),
  );
  const confirming = (on: boolean) => {
    confirm.hidden = !on;
    start.hidden = on;
    (on ? cancel : start).focus();
  };
  start.onclick = () => confirming(true);
  cancel.onclick = () => confirming(false);
  yes.onclick = async () => {
    yes.disabled = cancel.disabled = true;
    try {
      showReceipt(v, await v.backend.erase());
    } catch (error) {
      yes.disabled = cancel.disabled = false;
      failed(v, error);
    }
  };
  return section(v, 'tp-erase', t.erase, h('p', {}, t.eraseHelp), start, confirm);
}
