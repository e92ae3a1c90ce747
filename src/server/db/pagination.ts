import type { Pagination } from '../../contract/common.js';

/** The spec's `pagination` object for a page of a list. */
export function pageInfo(page: number, limit: number, totalCount: number): Pagination {
  const totalPages = Math.ceil(totalCount / limit);
  return { page, limit, totalCount, totalPages, hasNext: page < totalPages, hasPrev: page > 1 };
}

export const pageOffset = (page: number, limit: number): number => (page - 1) * limit;
