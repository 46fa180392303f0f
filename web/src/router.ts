import { useEffect, useState } from 'react';

/** The console routes by the URL fragment (#/inbox, #/requests/<id>): the service serves one page. */
export function useHashRoute(): string[] {
  const read = () => window.location.hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
  const [route, setRoute] = useState(read);
  useEffect(() => {
    const onChange = () => setRoute(read());
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return route;
}

export function go(path: string): void {
  window.location.hash = `#/${path.replace(/^\//, '')}`;
}

/** Counts clicks on the menu's links, so that choosing the page already shown reloads it. */
export function useNavigationCount(): number {
  const [count, setCount] = useState(0);
  useEffect(() => {
    const onClick = (event: MouseEvent) => {
      const link = (event.target as HTMLElement | null)?.closest?.('a[href^="#/"]');
      if (link && link.getAttribute('href') === window.location.hash) setCount((c) => c + 1);
    };
    document.addEventListener('click', onClick);
    return () => document.removeEventListener('click', onClick);
  }, []);
  return count;
}
