import { randomUUID } from 'node:crypto';
import type { FastifyReply } from 'fastify';
import type { InjectedStatus } from '../common/faults';

/** HubSpot's error body: {status:"error", message, correlationId, category, ...}. */
export interface HubspotError {
  status: 'error';
  message: string;
  correlationId: string;
  category: string;
  subCategory?: string;
  errors?: { message: string; code?: string; in?: string; context?: Record<string, unknown> }[];
  context?: Record<string, unknown>;
  links?: Record<string, string>;
}

export function hubspotError(category: string, message: string, extra: Partial<HubspotError> = {}): HubspotError {
  return { status: 'error', message, correlationId: randomUUID(), category, ...extra };
}

export function sendError(reply: FastifyReply, statusCode: number, category: string, message: string, extra: Partial<HubspotError> = {}): FastifyReply {
  return reply.code(statusCode).type('application/json;charset=utf-8').send(hubspotError(category, message, extra));
}

export const notFound = (reply: FastifyReply) => sendError(reply, 404, 'OBJECT_NOT_FOUND', 'resource not found');

export const validation = (reply: FastifyReply, message: string, extra: Partial<HubspotError> = {}) => sendError(reply, 400, 'VALIDATION_ERROR', message, extra);

export type RatePolicy = 'SECONDLY' | 'TEN_SECONDLY_ROLLING' | 'DAILY';

const RATE_MESSAGES: Record<RatePolicy, string> = {
  SECONDLY: 'You have reached your secondly limit.',
  TEN_SECONDLY_ROLLING: 'You have reached your ten_secondly_rolling limit.',
  DAILY: 'You have reached your daily limit.',
};

/** The 429 body HubSpot sends (errorType RATE_LIMIT, policyName). */
export function rateLimitBody(policy: RatePolicy) {
  return { status: 'error', message: RATE_MESSAGES[policy], errorType: 'RATE_LIMIT', correlationId: randomUUID(), policyName: policy, requestId: randomUUID() };
}

/** Vendor-exact rendering of injected faults. */
export function renderInjected(status: InjectedStatus, reply: FastifyReply): FastifyReply {
  if (status === 429) return reply.code(429).type('application/json;charset=utf-8').send(rateLimitBody('SECONDLY'));
  const message = status === 500 ? 'internal error' : status === 502 ? 'Bad Gateway' : 'Service Unavailable';
  return sendError(reply, status, status === 500 ? 'INTERNAL_ERROR' : 'SERVICE_UNAVAILABLE', message);
}
