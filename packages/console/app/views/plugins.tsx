import { Section } from '../components/bits';
import { ErrorNote } from '../components/error-note';
import { useLoad, useSession } from '../hooks';

interface Problem {
  code: string;
  message: string;
  hint: string;
}

export interface PluginsInfo {
  namespace: string;
  plugin_load_errors: 'fail' | 'warn';
  image_import_plugins: string[];
  plugins: Array<{
    name: string;
    package: string | null;
    version: string | null;
    compatible: boolean | null;
    /** Place in `image_import_plugins` (1-based), null when declared but not configured. */
    order: number | null;
    loaded: boolean;
    error: Problem | null;
  }>;
  metadata_errors: Problem[];
  warnings: Problem[];
}

function ProblemText({ p }: { p: Problem }) {
  return (
    <div class="problem">
      <p>
        <span class="mono small">{p.code}</span> {p.message}
      </p>
      {p.hint ? <p class="hint">{p.hint}</p> : null}
    </div>
  );
}

/** The import plugins (admin): what is declared, what is configured and in which order, what failed to load. */
export function Plugins() {
  const { api } = useSession();
  const info = useLoad((signal) => api.get<PluginsInfo>('/v2/info/plugins', signal), []);
  const d = info.data;
  const configured = d ? d.plugins.filter((p) => p.order !== null).sort((a, b) => a.order! - b.order!) : [];
  const others = d ? d.plugins.filter((p) => p.order === null) : [];
  const row = (p: PluginsInfo['plugins'][number]) => (
    <tr key={p.name} data-plugin={p.name} class={p.error ? 'has-error' : ''}>
      <td class="num">{p.order ?? ''}</td>
      <td class="mono">{p.name}</td>
      <td>{p.package ?? <span class="muted">not found</span>}</td>
      <td>{p.version ?? ''}</td>
      <td>{p.compatible === null ? '' : p.compatible ? 'yes' : 'no'}</td>
      <td>{p.order === null ? 'not configured' : p.loaded ? 'loaded' : 'not loaded'}</td>
      <td>{p.error ? <ProblemText p={p.error} /> : ''}</td>
    </tr>
  );
  const head = (
    <thead>
      <tr>
        <th scope="col">#</th>
        <th scope="col">Entry point</th>
        <th scope="col">Package</th>
        <th scope="col">Version</th>
        <th scope="col">Compatible</th>
        <th scope="col">State</th>
        <th scope="col">Load error</th>
      </tr>
    </thead>
  );
  return (
    <>
      <Section title="Import plugins">
        <ErrorNote error={info.error} />
        {d ? (
          <>
            <p>
              <span class="mono">[image_import_opts] image_import_plugins</span> ={' '}
              {d.image_import_plugins.length ? d.image_import_plugins.join(', ') : '(empty)'}; <span class="mono">plugin_load_errors</span> ={' '}
              {d.plugin_load_errors}
            </p>
            <table class="list plugins">
              {head}
              <tbody>
                {configured.length ? (
                  configured.map(row)
                ) : (
                  <tr>
                    <td colSpan={7} class="muted">
                      No plugin is configured: imports run no plugin.
                    </td>
                  </tr>
                )}
              </tbody>
            </table>
          </>
        ) : null}
      </Section>
      {d && d.warnings.length ? (
        <Section title="Warnings">
          {d.warnings.map((w, i) => (
            <ProblemText key={i} p={w} />
          ))}
        </Section>
      ) : null}
      {d && others.length ? (
        <Section title={`Declared in ${d.namespace}, not configured`}>
          <table class="list plugins">
            {head}
            <tbody>{others.map(row)}</tbody>
          </table>
        </Section>
      ) : null}
      {d && d.metadata_errors.length ? (
        <Section title="Packages with invalid entry-point metadata">
          {d.metadata_errors.map((w, i) => (
            <ProblemText key={i} p={w} />
          ))}
        </Section>
      ) : null}
    </>
  );
}
