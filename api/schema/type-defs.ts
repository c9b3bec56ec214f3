// The api's GraphQL schema. `npm run schema:write` prints it to api/schema.graphql, the
// checked-in SDL that clients generate from; a test fails when that file is stale.
export const typeDefs = /* GraphQL */ `
  "An instant, ISO-8601 with offset: 2026-03-30T09:00:00+02:00"
  scalar DateTime
  "An ISO-8601 duration in weeks, days, hours, minutes or seconds: PT30M, P1DT2H"
  scalar Duration

  type Query {
    "The authenticated caller."
    me: User!
    "One of the caller's tasks; another user's task is as absent as a missing one."
    task(id: ID!): Task
    """
    The caller's tasks: filtered, searched (full text over title, description and tags, by word
    prefix, ranked) and ordered, a page at a time. Default order: by relevance when searching,
    else by due date (tasks without one last).
    """
    tasks(
      filter: TaskFilter
      search: String
      orderBy: TaskOrder
      first: Int = 50
      after: String
    ): TaskConnection!
    "The caller's tags with how many tasks carry each, most used first."
    tags: [TagCount!]!
  }

  type Mutation {
    createTask(input: CreateTaskInput!): Task!
    "Changes only the fields given; null clears description, tags, dueAt or remindBefore."
    updateTask(input: UpdateTaskInput!): Task!
    "Completing a completed task changes nothing."
    completeTask(id: ID!): Task!
    reopenTask(id: ID!): Task!
    deleteTask(id: ID!): DeletePayload!
    "All or nothing: if one id is not the caller's task, nothing changes. At most 100."
    completeTasks(ids: [ID!]!): [Task!]!
    "All or nothing, as completeTasks. At most 100."
    deleteTasks(ids: [ID!]!): DeletePayload!
    updateSettings(input: UpdateSettingsInput!): UserSettings!
  }

  type User {
    id: ID!
    settings: UserSettings!
  }

  type UserSettings {
    "IANA time zone, e.g. Europe/Berlin."
    timeZone: String!
    "How long before the due date a new task's reminder fires; null: no default reminder."
    defaultReminderOffset: Duration
    notificationPreferences: NotificationPreferences!
  }

  type NotificationPreferences {
    inApp: Boolean!
    email: Boolean!
    webhookUrl: String
  }

  input UpdateSettingsInput {
    timeZone: String
    defaultReminderOffset: Duration
    notificationPreferences: NotificationPreferencesInput
  }

  input NotificationPreferencesInput {
    inApp: Boolean
    email: Boolean
    webhookUrl: String
  }

  enum Priority {
    NONE
    LOW
    MEDIUM
    HIGH
    URGENT
  }

  enum TaskStatus {
    OPEN
    COMPLETED
  }

  type Task {
    id: ID!
    title: String!
    description: String!
    priority: Priority!
    "In the order given; unique ignoring case."
    tags: [String!]!
    status: TaskStatus!
    dueAt: DateTime
    "The due date is a day; the time of dueAt is not meaningful."
    allDay: Boolean!
    "How long before dueAt the reminder fires."
    remindBefore: Duration
    "When the reminder fires: dueAt - remindBefore."
    reminderAt: DateTime
    completedAt: DateTime
    "The recurring series this task is an occurrence of."
    seriesId: ID
    createdAt: DateTime!
    updatedAt: DateTime!
    "Increments on every change; pass it as expectedVersion for optimistic concurrency."
    version: Int!
  }

  type TaskConnection {
    edges: [TaskEdge!]!
    pageInfo: PageInfo!
    "How many tasks match, over all pages."
    totalCount: Int!
  }

  type TaskEdge {
    cursor: String!
    node: Task!
  }

  type PageInfo {
    hasNextPage: Boolean!
    endCursor: String
  }

  type TagCount {
    tag: String!
    count: Int!
  }

  type DeletePayload {
    deletedIds: [ID!]!
  }

  input TaskFilter {
    status: TaskStatus
    priorities: [Priority!]
    tags: TagFilter
    "Due at or after this instant."
    dueAfter: DateTime
    "Due before this instant."
    dueBefore: DateTime
    "Open and past due (true), or not (false)."
    overdue: Boolean
    hasDueDate: Boolean
    seriesId: ID
  }

  "Tags compare ignoring case."
  input TagFilter {
    "Tasks with at least one of these tags."
    any: [String!]
    "Tasks with all of these tags."
    all: [String!]
  }

  input TaskOrder {
    field: TaskOrderField!
    direction: OrderDirection = ASC
  }

  enum TaskOrderField {
    DUE_AT
    PRIORITY
    CREATED_AT
    UPDATED_AT
    TITLE
    "Search rank; only with a search."
    RELEVANCE
  }

  enum OrderDirection {
    ASC
    DESC
  }

  input CreateTaskInput {
    "1 to 500 characters after trimming."
    title: String!
    "At most 10,000 characters."
    description: String
    priority: Priority
    "At most 20, each 1 to 50 characters, unique ignoring case."
    tags: [String!]
    dueAt: DateTime
    allDay: Boolean
    "Needs dueAt; PT0S to P366D."
    remindBefore: Duration
    "A retried create with the same key returns the first one's task."
    idempotencyKey: String
  }

  input UpdateTaskInput {
    id: ID!
    "When given and the task has moved on, the update fails with CONFLICT."
    expectedVersion: Int
    title: String
    description: String
    priority: Priority
    tags: [String!]
    dueAt: DateTime
    allDay: Boolean
    remindBefore: Duration
  }
`;
