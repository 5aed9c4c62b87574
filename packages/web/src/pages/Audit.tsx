/**
 * The auditor's page: the audit trail as the service gives it, pseudonymised (the operator's user
 * name, the patient's pseudonym, ids, statuses and keyed digests; never a patient's identity or a
 * clinical value), most recent first, filtered by action, entity, day, operator and patient (a
 * click on an operator or a pseudonym filters by it), a page at a time; and the record's integrity
 * checked on demand (append-only triggers, the hash chain). Each read is itself audited.
 */
import {
  Alert,
  Button,
  Card,
  Code,
  Group,
  NativeSelect,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import type { AuditEntry, AuditIntegrity, AuditPage as Page, AuditQuery } from '@dosetwin/server/contract';
import { useCallback, useEffect, useState } from 'react';
import { ErrorBox } from '../components/Issues.tsx';
import { useT } from '../i18n/index.ts';
import { api } from '../lib/api.ts';
import { showDateTimeYear } from '../lib/time.ts';

const ACTIONS = [
  'read',
  'create',
  'correct',
  'analyse',
  'validate',
  'export',
  'deny',
  'login',
  'logout',
  'update',
  'verify',
  'restore',
  'migrate',
] as const;

type Filters = Pick<AuditQuery, 'action' | 'entity' | 'from' | 'to' | 'userId' | 'patientId'>;

const queryOf = (f: Filters, before?: number): string => {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(f)) if (v) q.set(k, v);
  if (before !== undefined) q.set('before', String(before));
  q.set('limit', '50');
  return q.toString();
};

/** What a row keeps of a state, in one line: its fields but the digest, which is shortened. */
function detail(v: unknown): string {
  if (v === null || typeof v !== 'object') return '';
  return Object.entries(v as Record<string, unknown>)
    .map(([k, x]) => (k === 'digest' ? `#${String(x).slice(0, 8)}` : `${k}=${String(x)}`))
    .join(' · ');
}

function Integrity() {
  const { t } = useT();
  const [r, setR] = useState<AuditIntegrity | null>(null);
  const [error, setError] = useState<unknown>(null);
  const check = () => {
    setError(null);
    api<AuditIntegrity>('GET', '/audit/integrity').then(setR, setError);
  };
  return (
    <Card withBorder padding="sm" data-testid="audit-integrity">
      <Group justify="space-between">
        <Text size="sm">{t('auditIntegrityWhat')}</Text>
        <Button size="xs" variant="default" onClick={check}>
          {t('auditCheck')}
        </Button>
      </Group>
      <ErrorBox error={error} />
      {r && (
        <Alert mt="xs" color={r.ok ? 'green' : 'red'} role="status">
          {r.ok
            ? t('auditIntact', { rows: r.rows, seq: r.head.seq, hash: r.head.hash.slice(0, 16) })
            : t('auditBroken', { triggers: r.triggers.length, chain: r.chain.length })}
          {[...r.triggers, ...r.chain.map((c) => `${c.seq ?? '—'}: ${c.problem}`)].map((x) => (
            <Text size="xs" key={x}>
              {x}
            </Text>
          ))}
        </Alert>
      )}
    </Card>
  );
}

export function AuditPage() {
  const { t, lang } = useT();
  const [draft, setDraft] = useState<Filters>({});
  const [filters, setFilters] = useState<Filters>({});
  const [rows, setRows] = useState<AuditEntry[]>([]);
  const [next, setNext] = useState<number | null>(null);
  const [error, setError] = useState<unknown>(null);
  const load = useCallback(
    (f: Filters, before?: number) => {
      setError(null);
      api<Page>('GET', `/audit?${queryOf(f, before)}`).then((p) => {
        setRows((old) => (before === undefined ? p.entries : [...old, ...p.entries]));
        setNext(p.next);
      }, setError);
    },
    [setRows],
  );
  useEffect(() => load(filters), [filters, load]);
  const apply = (f: Filters) => {
    setDraft(f);
    setFilters(f);
  };
  const set = (k: keyof Filters) => (e: React.ChangeEvent<HTMLInputElement | HTMLSelectElement>) =>
    setDraft({ ...draft, [k]: e.currentTarget.value || undefined });
  return (
    <Stack>
      <Title order={2} size="h3">
        {t('auditTrail')}
      </Title>
      <Text size="sm" c="dimmed">
        {t('auditPseudonymised')}
      </Text>
      <Integrity />
      <Card
        withBorder
        padding="sm"
        component="form"
        data-testid="audit-filters"
        onSubmit={(e: React.FormEvent) => {
          e.preventDefault();
          apply(draft);
        }}
      >
        <Group align="flex-end" gap="xs">
          <NativeSelect
            label={t('auditAction')}
            value={draft.action ?? ''}
            onChange={set('action')}
            data={[{ value: '', label: t('auditAny') }, ...ACTIONS.map((a) => ({ value: a, label: a }))]}
          />
          <TextInput label={t('auditEntity')} value={draft.entity ?? ''} onChange={set('entity')} w={140} />
          <TextInput type="date" label={t('auditFrom')} value={draft.from ?? ''} onChange={set('from')} />
          <TextInput type="date" label={t('auditTo')} value={draft.to ?? ''} onChange={set('to')} />
          <TextInput
            label={t('auditOperatorId')}
            value={draft.userId ?? ''}
            onChange={set('userId')}
            w={200}
          />
          <TextInput
            label={t('auditPatientId')}
            value={draft.patientId ?? ''}
            onChange={set('patientId')}
            w={200}
          />
          <Button type="submit">{t('auditFilter')}</Button>
          <Button variant="default" onClick={() => apply({})}>
            {t('auditClear')}
          </Button>
        </Group>
      </Card>
      <ErrorBox error={error} />
      <Card withBorder padding="sm">
        <Table data-testid="audit-rows" fz="xs" striped>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>#</Table.Th>
              <Table.Th>{t('when')}</Table.Th>
              <Table.Th>{t('auditOperator')}</Table.Th>
              <Table.Th>{t('auditAction')}</Table.Th>
              <Table.Th>{t('auditEntity')}</Table.Th>
              <Table.Th>{t('pseudonym')}</Table.Th>
              <Table.Th>{t('details')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {rows.map((e) => (
              <Table.Tr key={e.seq} data-testid={`audit-${e.seq}`}>
                <Table.Td>{e.seq}</Table.Td>
                <Table.Td style={{ whiteSpace: 'nowrap' }}>{showDateTimeYear(e.at, lang)}</Table.Td>
                <Table.Td>
                  {e.userId ? (
                    <Button
                      size="compact-xs"
                      variant="subtle"
                      onClick={() => apply({ ...filters, userId: e.userId! })}
                    >
                      {e.username ?? e.userId.slice(0, 8)}
                    </Button>
                  ) : (
                    <Text size="xs" c="dimmed">
                      {t('auditNobody')}
                    </Text>
                  )}
                </Table.Td>
                <Table.Td>
                  <Text size="xs" fw={600} c={e.action === 'deny' ? 'red' : 'blue'}>
                    {e.action}
                  </Text>
                </Table.Td>
                <Table.Td>
                  {e.entity}
                  {e.entityId && e.entity === 'route' && <Code ml={4}>{e.entityId}</Code>}
                </Table.Td>
                <Table.Td>
                  {e.patientId && (
                    <Button
                      size="compact-xs"
                      variant="subtle"
                      onClick={() => apply({ ...filters, patientId: e.patientId! })}
                    >
                      {e.pseudonym ?? e.patientId.slice(0, 8)}
                    </Button>
                  )}
                </Table.Td>
                <Table.Td style={{ fontFamily: 'monospace' }}>{detail(e.after ?? e.before)}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
        {!rows.length && (
          <Text size="sm" c="dimmed">
            {t('auditNone')}
          </Text>
        )}
        {next !== null && (
          <Button mt="xs" variant="default" onClick={() => load(filters, next)}>
            {t('auditOlder')}
          </Button>
        )}
      </Card>
    </Stack>
  );
}
