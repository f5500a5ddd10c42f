import { renderFunctionReference } from '../expressions/index.ts';
import { renderConfigurationReference } from './configuration-doc.ts';

/** Every documentation page generated from code: its path in the repository and its renderer. */
export const GENERATED_DOCS: readonly { readonly path: string; readonly render: () => string }[] = [
  { path: 'docs/reference/configuration.md', render: renderConfigurationReference },
  { path: 'docs/reference/expression-functions.md', render: () => renderFunctionReference() },
];
