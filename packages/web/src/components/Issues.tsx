import { Alert, List } from '@mantine/core';
import { useT } from '../i18n/index.ts';
import { ApiError } from '../lib/api.ts';
import { EngineError } from '../lib/engine-client.ts';
import { issueText } from '../lib/issue-text.ts';

/** Errors as the service or the engine gives them, in the UI's language: each names its field. */
export function ErrorBox({ error }: { error: unknown }) {
  const { lang } = useT();
  if (!error) return null;
  const issues =
    error instanceof ApiError || error instanceof EngineError
      ? error.issues.map((i) => issueText(i, lang))
      : [String((error as Error).message ?? error)];
  return (
    <Alert color="red" role="alert" title={issues.length > 1 ? `${issues.length} ×` : undefined}>
      {issues.length === 1 ? (
        issues[0]
      ) : (
        <List size="sm">
          {issues.map((m, k) => (
            <List.Item key={k}>{m}</List.Item>
          ))}
        </List>
      )}
    </Alert>
  );
}
