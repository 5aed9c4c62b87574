import { Button, Card, Group, SimpleGrid, Stack, Title } from '@mantine/core';
import { ErrorBox } from '../components/Issues.tsx';

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
}): React.JSX.Element {
  const titleId = `${props.id}-title`;
  return (
    <Card withBorder component="section" aria-labelledby={titleId}>
      <form onSubmit={props.onSubmit} aria-labelledby={titleId} data-testid={props.testId}>
        <Stack gap="xs">
          <Title order={3} size="h4" id={titleId}>
            {props.title}
          </Title>
          <SimpleGrid cols={{ base: 2, sm: props.cols }}>{props.children}</SimpleGrid>
          {props.note}
          <ErrorBox error={props.error} />
          <Group>
            <Button type="submit">{props.title}</Button>
          </Group>
        </Stack>
      </form>
    </Card>
  );
}
