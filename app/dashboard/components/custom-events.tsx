import type { DashboardData } from '../hooks/use-dashboard-data';
import type { Filter } from '../model/filters';
import { formatCount } from '../model/format';
import { propsSummary } from '../model/panels';
import styles from '../styles/breakdown.module.css';
import { BreakdownPanel } from './breakdown-panel';

interface CustomEventsPanelProps {
  data: DashboardData;
  site: string;
  filters: readonly Filter[];
  onFilter: (filter: Filter) => void;
}

/**
 * Custom events (anything but pageview, click, engagement, leave) by name, and the property values the
 * live feed has shown for them. Property names and values are visitor-supplied: text only.
 */
export function CustomEventsPanel({ data, site, filters, onFilter }: CustomEventsPanelProps) {
  return (
    <BreakdownPanel
      title="Custom events"
      tabs={[{ role: 'customEvents', label: 'Events', labelHeader: 'Event', countHeader: 'Events' }]}
      data={data}
      site={site}
      filters={filters}
      onFilter={onFilter}
      testId="panel-custom-events"
    >
      {(breakdown) => {
        const types = breakdown.entries.filter((e) => !e.other).map((e) => e.filterValue ?? e.label);
        const props = types.flatMap((type) => propsSummary(data.feed, type, 8).map((p) => ({ type, ...p })));
        if (props.length === 0) return null;
        return (
          <div className={styles.props} data-testid="custom-event-props">
            <table className={styles.propsTable}>
              <caption className="visually-hidden">Properties of recent custom events (live feed)</caption>
              <thead>
                <tr>
                  <th scope="col">Event</th>
                  <th scope="col">Property</th>
                  <th scope="col">Value</th>
                  <th scope="col">Recent</th>
                </tr>
              </thead>
              <tbody>
                {props.map((p) => (
                  <tr key={`${p.type}\u0000${p.prop}\u0000${p.value}`}>
                    <td>{p.type}</td>
                    <td>{p.prop}</td>
                    <td>{p.value}</td>
                    <td>{formatCount(p.count)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        );
      }}
    </BreakdownPanel>
  );
}
