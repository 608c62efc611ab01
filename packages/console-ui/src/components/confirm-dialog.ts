// The confirmation every destructive action asks for (delete a topic, reset offsets, resend all,
// commit or roll back): a modal naming what will happen, answered Confirm or Cancel.

import { css, html, LitElement } from 'lit';
import { sharedStyles } from '../shared-styles';

export class ConfirmDialog extends LitElement {
  static override properties = {
    message: { type: String },
    actionLabel: { type: String },
  };
  static override styles = [
    sharedStyles,
    css`
      dialog {
        border: none;
        border-radius: 8px;
        padding: 1.25rem;
        max-width: min(28rem, 90vw);
        box-shadow: 0 10px 30px rgba(0, 0, 0, 0.25);
      }
      dialog::backdrop {
        background: rgba(20, 30, 40, 0.45);
      }
      .actions {
        display: flex;
        justify-content: flex-end;
        gap: 0.5rem;
        margin-top: 1rem;
      }
    `,
  ];

  declare message: string;
  declare actionLabel: string;
  #answer: ((confirmed: boolean) => void) | undefined;

  constructor() {
    super();
    this.message = '';
    this.actionLabel = 'Confirm';
  }

  /** Shows the dialog; resolves true on Confirm, false on Cancel or Escape. */
  async ask(): Promise<boolean> {
    await this.updateComplete;
    const dialog = this.renderRoot.querySelector('dialog');
    if (dialog === null) return false;
    dialog.showModal();
    return new Promise<boolean>((resolve) => (this.#answer = resolve));
  }

  #close(confirmed: boolean): void {
    this.renderRoot.querySelector('dialog')?.close();
    this.#answer?.(confirmed);
    this.#answer = undefined;
  }

  override render() {
    return html`<dialog @cancel=${() => this.#close(false)}>
      <p>${this.message}</p>
      <div class="actions">
        <button class="secondary" @click=${() => this.#close(false)}>Cancel</button>
        <button class="danger" data-confirm @click=${() => this.#close(true)}>${this.actionLabel}</button>
      </div>
    </dialog>`;
  }
}
customElements.define('keel-confirm', ConfirmDialog);

/** Asks for confirmation in a modal added to the page for the question, then removed. */
export async function confirmAction(message: string, actionLabel: string): Promise<boolean> {
  const dialog = document.createElement('keel-confirm') as ConfirmDialog;
  dialog.message = message;
  dialog.actionLabel = actionLabel;
  document.body.append(dialog);
  try {
    return await dialog.ask();
  } finally {
    dialog.remove();
  }
}
