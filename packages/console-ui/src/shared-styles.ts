// Styles every page shares: cards, tables that scroll sideways on a phone, forms that stack, and
// buttons (danger for destructive actions).

import { css } from 'lit';

export const sharedStyles = css`
  :host {
    display: block;
  }
  h2 {
    font-size: 1.25rem;
    margin: 0 0 0.75rem;
  }
  h3 {
    font-size: 1rem;
    margin: 1.25rem 0 0.5rem;
  }
  .card {
    background: #fff;
    border: 1px solid #dde3ea;
    border-radius: 8px;
    padding: 1rem;
    margin-bottom: 1rem;
  }
  .toolbar {
    display: flex;
    flex-wrap: wrap;
    gap: 0.5rem;
    align-items: center;
    margin-bottom: 0.75rem;
  }
  .toolbar .spacer {
    flex: 1;
  }
  .table-wrap {
    overflow-x: auto;
  }
  table {
    border-collapse: collapse;
    width: 100%;
    font-size: 0.9rem;
  }
  th,
  td {
    text-align: left;
    padding: 0.4rem 0.6rem;
    border-bottom: 1px solid #e8edf2;
    white-space: nowrap;
  }
  th {
    white-space: normal;
    vertical-align: bottom;
    font-weight: 600;
    color: #4a5a6a;
    background: #f7f9fb;
  }
  td.num,
  th.num {
    text-align: right;
    font-variant-numeric: tabular-nums;
  }
  td.wrap {
    white-space: normal;
    word-break: break-all;
  }
  form {
    display: flex;
    flex-wrap: wrap;
    gap: 0.5rem 0.75rem;
    align-items: flex-end;
  }
  label {
    display: flex;
    flex-direction: column;
    font-size: 0.8rem;
    color: #4a5a6a;
    gap: 0.2rem;
  }
  input,
  select,
  textarea {
    font: inherit;
    padding: 0.35rem 0.5rem;
    border: 1px solid #c5cfd9;
    border-radius: 4px;
    background: #fff;
    min-width: 0;
  }
  textarea {
    min-height: 4rem;
  }
  button {
    font: inherit;
    padding: 0.4rem 0.8rem;
    border-radius: 4px;
    border: 1px solid #2f6fb5;
    background: #2f6fb5;
    color: #fff;
    cursor: pointer;
  }
  button.secondary {
    background: #fff;
    color: #2f6fb5;
  }
  button.danger {
    background: #b8322a;
    border-color: #b8322a;
  }
  button:disabled {
    opacity: 0.5;
    cursor: default;
  }
  a {
    color: #2f6fb5;
  }
  .muted {
    color: #6b7a89;
  }
  .badge {
    display: inline-block;
    padding: 0.05rem 0.45rem;
    border-radius: 999px;
    font-size: 0.75rem;
    background: #e8edf2;
  }
  .badge.ok {
    background: #dff3e4;
    color: #1f6b35;
  }
  .badge.warn {
    background: #fdf0d5;
    color: #8a5a00;
  }
  .badge.bad {
    background: #fbe1df;
    color: #8c1d16;
  }
  .error {
    background: #fbe1df;
    color: #8c1d16;
    border-radius: 6px;
    padding: 0.6rem 0.8rem;
    margin-bottom: 0.75rem;
  }
  .notice {
    background: #dff3e4;
    color: #1f6b35;
    border-radius: 6px;
    padding: 0.6rem 0.8rem;
    margin-bottom: 0.75rem;
  }
  pre {
    background: #f7f9fb;
    border: 1px solid #e8edf2;
    border-radius: 4px;
    padding: 0.6rem;
    overflow: auto;
    max-height: 24rem;
    font-size: 0.8rem;
  }
  @media (max-width: 640px) {
    .card {
      padding: 0.75rem;
    }
    form {
      flex-direction: column;
      align-items: stretch;
    }
  }
`;
