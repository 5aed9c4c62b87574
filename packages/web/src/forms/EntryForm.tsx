import { Button, Card, Checkbox, Group, SimpleGrid, Stack, Title } from '@mantine/core';
import { ErrorBox } from '../components/Issues.tsx';
import { useT } from '../i18n/index.ts';
import { ApiError } from '../lib/api.ts';
import type { Acknowledgement } from './acknowledge.ts';

/** The shell of an entry form (dose, level, covariate): a titled, labelled section with its fields, errors and submit button. */
export function EntryForm(props: {
  id: string;
  testId: string;
  title: string;
  cols: number;
  error: unknown;
  onSubmit: (e: React.FormEvent) => void;
  children: React.ReactNode;
  /** A line under the fields (what the chosen item means). */
  note?: React.ReactNode;
  /** Warnings the service holds the entry for: confirmed by a checkbox, acknowledged at the next submission. */
  ack?: Acknowledgement | null;
}): React.JSX.Element {
  const { t } = useT();
  const titleId = `${props.id}-title`;
  // With the checkbox shown, the service's request to send the codes back is the box's business.
  const shown =
    props.ack && props.error instanceof ApiError
      ? new ApiError(
          props.error.status,
          props.error.issues.filter((i) => i.code !== 'DT_ACK_REQUIRED'),
        )
      : props.error;
  return (
    <Card withBorder component="section" aria-labelledby={titleId}>
      <form onSubmit={props.onSubmit} aria-labelledby={titleId} data-testid={props.testId}>
        <Stack gap="xs">
          <Title order={3} size="h4" id={titleId}>
            {props.title}
          </Title>
          <SimpleGrid cols={{ base: 2, sm: props.cols }}>{props.children}</SimpleGrid>
          {props.note}
          <ErrorBox error={shown} />
          {props.ack && (
            <Checkbox
              data-testid="acknowledge"
              color="orange"
              label={t('acknowledgeEntry')}
              checked={props.ack.checked}
              onChange={(e) => props.ack!.onChange(e.currentTarget.checked)}
            />
          )}
          <Group>
            <Button type="submit">{props.title}</Button>
          </Group>
        </Stack>
      </form>
    </Card>
  );
}
