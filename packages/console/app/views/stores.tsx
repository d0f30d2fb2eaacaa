import { ApiError, isRefusal } from '../api/client';
import { storeList, type StoreInfo } from '../api/imports';
import { Section } from '../components/bits';
import { ErrorNote } from '../components/error-note';
import { useLoad, useSession, type SessionInfo } from '../hooks';
import { formatBytes } from '../lib/format';

interface Usage {
  usage: number;
  limit: number;
}
type UsageMap = Record<string, Usage>;

const QUOTA_TEXT: Record<string, [string, 'MiB' | 'count']> = {
  image_size_total: ['Image data stored', 'MiB'],
  image_stage_total: ['Data in staging', 'MiB'],
  image_count_total: ['Images', 'count'],
  image_count_uploading: ['Images being uploaded or imported', 'count'],
};

const amount = (n: number, unit: 'MiB' | 'count') => (unit === 'MiB' ? formatBytes(n * 1024 * 1024) : String(n));

/** The stores with their type (`/v2/info/stores/detail`, when the policy allows, else the plain list). */
async function loadStores(s: SessionInfo, signal: AbortSignal): Promise<{ stores: StoreInfo[] | undefined; detailed: boolean }> {
  try {
    return { stores: (await s.api.get<{ stores: StoreInfo[] }>('/v2/info/stores/detail', signal)).stores, detailed: true };
  } catch (e) {
    if (!(e instanceof ApiError) || e.status !== 403) {
      if (e instanceof ApiError && e.status === 404) return { stores: undefined, detailed: false };
      throw e;
    }
  }
  return { stores: await storeList(s.api, signal), detailed: false };
}

function UsageTable({ usage }: { usage: UsageMap }) {
  return (
    <table class="list compact">
      <thead>
        <tr>
          <th scope="col">Limit</th>
          <th scope="col">Used</th>
          <th scope="col">Allowed</th>
        </tr>
      </thead>
      <tbody>
        {Object.entries(usage).map(([k, u]) => {
          const [label, unit] = QUOTA_TEXT[k] ?? [k, 'count'];
          return (
            <tr key={k} data-quota={k}>
              <td>
                {label} <span class="muted small mono">{k}</span>
              </td>
              <td class="num">{amount(u.usage, unit)}</td>
              <td class="num">{u.limit < 0 ? 'unlimited' : amount(u.limit, unit)}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

/** The stores, and what each project uses where per-project limits are on. */
export function Stores() {
  const session = useSession();
  const stores = useLoad((signal) => loadStores(session, signal), []);
  const usage = useLoad((signal) => session.api.get<{ usage: UsageMap }>('/v2/info/usage', signal), []);
  const projects = useLoad(
    async (signal) => {
      if (!session.isAdmin) return undefined;
      try {
        return await session.api.get<{ quotas: boolean; projects: Array<{ project_id: string; usage: UsageMap }> }>('/v2/info/usage/projects', signal);
      } catch (e) {
        if (isRefusal(e)) return undefined;
        throw e;
      }
    },
    [session.isAdmin],
  );
  const quotasOn = usage.data ? Object.values(usage.data.usage).some((u) => u.limit >= 0) : false;
  const s = stores.data;
  return (
    <>
      <Section title="Stores">
        <ErrorNote error={stores.error} />
        {s && !s.stores ? (
          <p>
            This site has one store (multi-store is off: <span class="mono">[DEFAULT] enabled_backends</span> is not set).
          </p>
        ) : null}
        {s?.stores ? (
          <table class="list">
            <thead>
              <tr>
                <th scope="col">Store</th>
                <th scope="col">Type</th>
                <th scope="col">Default</th>
                <th scope="col">Read-only</th>
                <th scope="col">Weight</th>
                <th scope="col">Description</th>
              </tr>
            </thead>
            <tbody>
              {s.stores.map((st) => (
                <tr key={st.id} data-store={st.id}>
                  <td>{st.id}</td>
                  <td>{st.type ?? (s.detailed ? '' : <span class="muted">(admins see it)</span>)}</td>
                  <td>{st.default === 'true' ? 'yes' : ''}</td>
                  <td>{st['read-only'] === 'true' ? 'yes' : ''}</td>
                  <td class="num">{st.weight ?? ''}</td>
                  <td>{st.description ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : null}
      </Section>
      <Section title="Usage of your project">
        <ErrorNote error={usage.error} />
        {usage.data ? (
          <>
            {!quotasOn ? (
              <p class="muted">
                Per-project limits are off (<span class="mono">[DEFAULT] use_keystone_limits = false</span>).
              </p>
            ) : null}
            <UsageTable usage={usage.data.usage} />
          </>
        ) : null}
      </Section>
      {projects.data && projects.data.quotas ? (
        <Section title="Usage per project">
          <ErrorNote error={projects.error} />
          {projects.data.projects.length === 0 ? (
            <p class="muted">No project holds images.</p>
          ) : (
            projects.data.projects.map((p) => (
              <div key={p.project_id} class="project-usage" data-project={p.project_id}>
                <h3 class="mono">{p.project_id}</h3>
                <UsageTable usage={p.usage} />
              </div>
            ))
          )}
        </Section>
      ) : null}
    </>
  );
}
