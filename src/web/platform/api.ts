// Calls to the platform's API; errors carry the French message of the problem+json answer.
import { useQuery } from '@tanstack/react-query';
import type { Me } from '../../modules/access/contract.ts';
import type { Problem } from '../../platform/http/problems.ts';

export type { Me, Problem };

export class ApiError extends Error {
  constructor(readonly status: number, message: string, readonly problem?: Problem) {
    super(message);
  }
}

export async function api<T>(path: string, init: RequestInit = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json', ...(init.headers as Record<string, string>) };
  if (init.body && typeof init.body === 'string') headers['content-type'] = 'application/json';
  const res = await fetch(path, { ...init, headers, credentials: 'same-origin' });
  const text = await res.text();
  const body = text ? JSON.parse(text) : undefined;
  if (!res.ok) throw new ApiError(res.status, body?.detail ?? `Erreur ${res.status}`, body);
  return body as T;
}

/** The signed-in user, or null for a visitor. */
export function useMe() {
  return useQuery({
    queryKey: ['me'],
    queryFn: async () => {
      try {
        return await api<Me>('/api/access/me');
      } catch (e) {
        if (e instanceof ApiError && e.status === 401) return null;
        throw e;
      }
    },
  });
}

export const formatNumber = (n: number | null | undefined, digits = 0) =>
  n === null || n === undefined ? '—' : n.toLocaleString('fr-FR', { maximumFractionDigits: digits });
