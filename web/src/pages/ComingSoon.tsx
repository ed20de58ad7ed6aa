import type { ComponentType, SVGProps } from 'react';
import { IconSparkle } from '../components/Icons';
import { PageHeader } from '../components/ui';
import { useTitle } from '../hooks';

export interface ComingSoonSpec {
  title: string;
  description: string;
  icon: ComponentType<SVGProps<SVGSVGElement> & { size?: number }>;
  features: string[];
}

/** An intentional placeholder for a section that a later release fills in. */
export function ComingSoonPage({ spec }: { spec: ComingSoonSpec }) {
  useTitle(spec.title);
  const Icon = spec.icon;
  return (
    <>
      <PageHeader title={spec.title} description={spec.description} />
      <section className="coming-soon" data-testid="coming-soon" aria-labelledby="coming-soon-title">
        <div className="coming-soon-icon">
          <Icon size={30} />
        </div>
        <p className="coming-soon-kicker">
          <IconSparkle size={14} /> Coming soon
        </p>
        <h2 id="coming-soon-title" className="coming-soon-title">
          {spec.title} is on its way
        </h2>
        <p className="coming-soon-text">This part of Gatehouse is being built. Here is what it will do:</p>
        <ul className="coming-soon-list">
          {spec.features.map((f) => (
            <li key={f}>{f}</li>
          ))}
        </ul>
      </section>
    </>
  );
}
