import type { NextConfig } from 'next';

const nextConfig: NextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // The custom server (server/) owns the HTTP listener; no standalone output (BRIEF §10).
  typescript: { tsconfigPath: 'tsconfig.json' },
};

export default nextConfig;
