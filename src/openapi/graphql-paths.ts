import type { ServedRoute } from './routes';

type Json = Record<string, any>;

/**
 * GraphQL is served by Mercurius, not by a Nest controller, so its HTTP routes are described
 * here. GraphQL reports problems inside a 200 answer (`errors[].extensions.code`), so only the
 * transport-level errors (body too large, rate limit) are HTTP statuses.
 */
export const GRAPHQL_ROUTES: ServedRoute[] = [
  { method: 'post', path: '/graphql', controller: 'Mercurius', handler: 'graphql', isPublic: false, needsAccount: false, excluded: false, security: [{ bearer: [], account_token: [] }, { bearer: [] }], errorStatuses: ['413', '429'] },
  { method: 'get', path: '/graphql', controller: 'Mercurius', handler: 'graphql', isPublic: false, needsAccount: false, excluded: false, security: [{ bearer: [], account_token: [] }, { bearer: [] }], errorStatuses: ['429'] },
];

const QUERY = 'query Contacts($first: Int, $after: String) { contacts(first: $first, after: $after) { edges { node { id firstName lastName account { name } } } pageInfo { hasNextPage endCursor } } }';

const RESPONSE_EXAMPLE = {
  data: {
    contacts: {
      edges: [{ node: { id: '6b1e9d2c-4f3a-4e8b-b5c7-2d9a8f1e0c34', firstName: 'Maria', lastName: 'Anders', account: { name: 'Northwind Traders' } } }],
      pageInfo: { hasNextPage: true, endCursor: 'eyJrIjpbIjIwMjYtMDMtMTFUMDk6NDE6MzdaIiwiNmIxZTlkMmMiXX0.3kq9Xb' },
    },
  },
};

export const GRAPHQL_SCHEMAS: Record<string, Json> = {
  GraphQLRequest: {
    type: 'object',
    properties: {
      query: { type: 'string', description: 'The GraphQL document.', examples: [QUERY] },
      variables: { type: ['object', 'null'], additionalProperties: true, description: 'Values of the variables the document declares.', examples: [{ first: 2 }] },
      operationName: { type: ['string', 'null'], description: 'Which operation of the document to run, when it has several.' },
    },
    required: ['query'],
  },
  GraphQLResponse: {
    type: 'object',
    properties: {
      data: { type: ['object', 'null'], additionalProperties: true, description: 'The result; null when the request failed as a whole.' },
      errors: {
        type: 'array',
        description: 'Problems; each names its cause in `extensions.code` (UNAUTHORIZED, MISSING_ACCOUNT_TOKEN, NOT_FOUND, INVALID_PARAMETER, GRAPHQL_VALIDATION_FAILED, the depth and cost limits, VENDOR_ERROR, ...).',
        items: {
          type: 'object',
          properties: {
            message: { type: 'string' },
            locations: { type: 'array', items: { type: 'object', properties: { line: { type: 'integer' }, column: { type: 'integer' } } } },
            path: { type: 'array', items: { type: ['string', 'integer'] } },
            extensions: { type: 'object', additionalProperties: true, properties: { code: { type: 'string' } } },
          },
          required: ['message'],
        },
      },
    },
  },
};

const response = {
  '200': {
    description: 'The GraphQL answer: `data`, and `errors` when something failed (GraphQL reports errors in a 200).',
    content: { 'application/json': { schema: { $ref: '#/components/schemas/GraphQLResponse' }, example: RESPONSE_EXAMPLE } },
  },
};

const summary = 'GraphQL: the common models as types with relations, Relay connections on the REST cursors, mutations with the write envelope';
const description =
  'Same two headers as REST: the API key always, `X-Account-Token` for model fields (not for `linkedAccounts`). The schema is available by introspection; a self-contained explorer is served at `/graphql/explorer`. Depth and cost are limited.';

export const GRAPHQL_PATHS: Json = {
  '/graphql': {
    post: {
      tags: ['graphql'],
      summary,
      description,
      requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/GraphQLRequest' }, example: { query: QUERY, variables: { first: 2 } } } } },
      responses: response,
    },
    get: {
      tags: ['graphql'],
      summary: 'GraphQL over GET (queries only)',
      description,
      parameters: [
        { name: 'query', in: 'query', required: true, description: 'The GraphQL document.', schema: { type: 'string' }, example: '{ linkedAccounts(first: 5) { nodes { id } } }' },
        { name: 'variables', in: 'query', required: false, description: 'JSON object of the variables.', schema: { type: 'string' }, example: '{"first":5}' },
        { name: 'operationName', in: 'query', required: false, description: 'Which operation of the document to run.', schema: { type: 'string' } },
      ],
      responses: response,
    },
  },
};
