// A message body shown as text, as pretty JSON (when it parses) or as a hex dump.

import { html, LitElement } from 'lit';
import { bodyAsJson, bodyAsText, decodeBase64, hexDump } from '../format';
import { sharedStyles } from '../shared-styles';

type BodyMode = 'text' | 'json' | 'hex';

export class BodyView extends LitElement {
  static override properties = { base64: { type: String }, mode: { state: true } };
  static override styles = [sharedStyles];

  declare base64: string;
  declare mode: BodyMode;

  constructor() {
    super();
    this.base64 = '';
    this.mode = 'text';
  }

  override render() {
    const bytes = decodeBase64(this.base64);
    const json = bodyAsJson(bytes);
    const shown =
      this.mode === 'hex'
        ? hexDump(bytes)
        : this.mode === 'json' && json !== undefined
          ? json
          : bodyAsText(bytes);
    const tab = (mode: BodyMode, label: string, disabled = false) =>
      html`<button
        class=${this.mode === mode ? '' : 'secondary'}
        data-body-mode=${mode}
        ?disabled=${disabled}
        @click=${() => (this.mode = mode)}
      >
        ${label}
      </button>`;
    return html`<div class="toolbar">
        ${tab('text', 'Text')} ${tab('json', 'JSON', json === undefined)} ${tab('hex', 'Hex')}
        <span class="muted">${bytes.length} bytes</span>
      </div>
      <pre data-body>${shown}</pre>`;
  }
}
customElements.define('keel-body-view', BodyView);
