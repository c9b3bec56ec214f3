// The api's GraphQL schema. `npm run schema:write` prints it to api/schema.graphql, the
// checked-in SDL that clients generate from; a test fails when that file is stale.
export const typeDefs = /* GraphQL */ `
  "An instant, ISO-8601 with offset: 2026-03-30T09:00:00+02:00"
  scalar DateTime
  "An ISO-8601 duration in weeks, days, hours, minutes or seconds: PT30M, P1DT2H"
  scalar Duration
  "Any JSON value: a field's value as the history recorded it."
  scalar JSON

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
    "Delivered reminders, newest first."
    notifications(
      unreadOnly: Boolean = false
      first: Int = 50
      after: String
    ): NotificationConnection!
    "One of the caller's recurring series."
    series(id: ID!): Series
    """
    The caller's series, a page at a time (first is 1 to 100). search finds a series when any
    of its words begins a word of the title, description or tags (words like "my", "reminder"
    and "every" are ignored unless nothing else is given, so "my exercise reminder" finds
    "Exercise"); more words matched rank higher, then newest first. states: any of these
    (default: every state).
    """
    seriesList(
      search: String
      states: [SeriesState!]
      first: Int = 20
      after: String
    ): SeriesConnection!
    """
    The next occurrences of a rule, computed, not stored: dtstart is a local date-time
    (2026-03-28T09:00:00) in timeZone; after an optional instant; count at most 500. Occurrences
    are instants with the zone's offset (2026-03-30T09:00:00+02:00).
    """
    previewRecurrence(input: PreviewRecurrenceInput!): RecurrencePreview!
    """
    Reads a rule from words ("every Monday and Friday at 9am", "on the last day of every month",
    "every 3 days after completion", "starting April 2", "until June 1", "for 5 times").
    BAD_USER_INPUT says what could not be read.
    """
    parseRecurrence(text: String!, timeZone: String!): ParsedRecurrence!
    """
    The caller's history: every recorded change to their tasks, reminders and series, newest
    first, with who made it and each changed field before and after. It is read from the audit
    log, which receives each change as an event, so an entry appears shortly after its change.
    Another user's task id finds nothing. first is 1 to 100. UNAVAILABLE when the audit service
    cannot be reached.
    """
    history(filter: HistoryFilter, first: Int = 20, after: String): HistoryConnection!
  }

  type Mutation {
    createTask(input: CreateTaskInput!): Task!
    """
    Changes only the fields given; null clears description, tags or dueAt. Moving the due date
    moves the relative reminders; a first due date brings the default reminder.
    """
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
    """
    A new webhook signing secret, shown in this answer only. The replaced secret keeps signing
    deliveries (a second v1 signature) for overlap: default P1D, at most P7D.
    """
    rotateWebhookSecret(overlap: Duration): WebhookSecretRotation!
    "At most 10 per task. One whose time has already passed is kept but not armed; the payload says so."
    addReminder(
      taskId: ID!
      input: ReminderInput!
      "A retried add with the same key (on the same task) returns the first one's reminder."
      idempotencyKey: String
    ): AddReminderPayload!
    removeReminder(taskId: ID!, reminderId: ID!): Task!
    "Fires the reminder again at until, or after for from now (exactly one of them)."
    snoozeReminder(taskId: ID!, reminderId: ID!, until: DateTime, for: Duration): Task!
    "The reminder will not fire (unless snoozed later)."
    dismissReminder(taskId: ID!, reminderId: ID!): Task!
    "A recurring series; its workflow creates the first occurrence within a second."
    createSeries(input: CreateSeriesInput!): Series!
    """
    Edits this and future occurrences: the template and rule apply to every occurrence created
    from now on; open occurrences not started yet take the new title, description, priority and
    tags, and those the new rule no longer produces are removed. Past ones stay as they were.
    """
    updateSeries(input: UpdateSeriesInput!): Series!
    "No occurrences are created while paused."
    pauseSeries(id: ID!): Series!
    "Goes on with the next occurrence from now on: none of those missed while paused."
    resumeSeries(id: ID!): Series!
    "The next occurrence not started yet is skipped (an EXDATE); its task, if created, is removed."
    skipNextOccurrence(id: ID!): Series!
    """
    Stops the series: no further occurrences; created ones not started yet are removed; open
    ones already due stay as ordinary tasks.
    """
    stopSeries(id: ID!): Series!
    """
    Deletes an occurrence (a task of the series) with a scope, as calendars ask. THIS: that one
    (an EXDATE: the series goes on; the same as deleteTask on it). THIS_AND_FOLLOWING: the series
    ends before it (an UNTIL, as updateSeries would set it; STOPPED when nothing of the rule
    comes before it) and its open occurrences from this one on are removed. ALL: the series
    stops and all its open occurrences are removed. Completed occurrences always stay, as
    history.
    """
    deleteOccurrence(taskId: ID!, scope: OccurrenceScope = THIS): Series!
    "Marks the given notifications, or all of them, read; returns how many changed."
    markNotificationsRead(ids: [ID!], all: Boolean): Int!
  }

  type Reminder {
    id: ID!
    "Fires this long before the due date."
    before: Duration
    "Fires this long after the due date (a nudge for an overdue task)."
    after: Duration
    "Fires at this instant."
    at: DateTime
    "When it fires (its snooze, if snoozed); null for a relative reminder of a task without a due date."
    fireAt: DateTime
    state: ReminderState!
    snoozedUntil: DateTime
    "When it was delivered, or recorded as missed or muted."
    deliveredAt: DateTime
    "While DEFERRED: when the quiet hours end and the digest goes out."
    deferredUntil: DateTime
    "Delivered after its time because the system was down (within the grace period)."
    late: Boolean!
  }

  enum ReminderState {
    "Armed; will fire at fireAt."
    PENDING
    "Armed at its snooze time."
    SNOOZED
    "It came due in the user's quiet hours; it goes out in their digest at deferredUntil."
    DEFERRED
    FIRED
    "It came due while its task was muted: recorded (deliveredAt), sent to no channel."
    MUTED
    "Its time passed beyond the grace period while the system was down; recorded, not sent."
    MISSED
    DISMISSED
    "Its time had already passed when it was set (or its task has no due date): it will not fire."
    NOT_ARMED
  }

  "Exactly one of before, after or at."
  input ReminderInput {
    before: Duration
    after: Duration
    at: DateTime
  }

  type AddReminderPayload {
    task: Task!
    reminder: Reminder!
    "False when its time has already passed: it will not fire."
    armed: Boolean!
    "Why it is not armed."
    message: String
  }

  type Notification {
    id: ID!
    taskId: ID!
    reminderId: ID!
    "The task's title."
    title: String!
    "When the reminder was due."
    fireAt: DateTime!
    deliveredAt: DateTime!
    late: Boolean!
    missed: Boolean!
    "Set when it arrived in a quiet-hours digest; the digest's reminders share it."
    digestId: ID
    read: Boolean!
  }

  type NotificationConnection {
    edges: [NotificationEdge!]!
    pageInfo: PageInfo!
  }

  type NotificationEdge {
    cursor: String!
    node: Notification!
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
    """
    The key webhook deliveries are signed with (header Tickler-Signature: t=<unix seconds>,
    v1=<hex HMAC-SHA256 of "<t>.<body>">, one v1 per valid secret). Created with the first
    webhook URL and shown once: only in the updateSettings answer that created it, null in every
    other answer. rotateWebhookSecret makes a new one.
    """
    webhookSecret: String
    """
    Reminders due in this daily window (in timeZone) are held back and delivered together, as
    one digest, when it ends. null: none.
    """
    quietHours: QuietHours
  }

  "A new webhook signing secret; no query returns it again."
  type WebhookSecretRotation {
    secret: String!
    "Until then deliveries also carry a signature made with the previous secret; null: none."
    previousSecretValidUntil: DateTime
  }

  "A daily window of local times; start after end spans midnight (22:00 to 07:00)."
  type QuietHours {
    "HH:MM, inclusive."
    start: String!
    "HH:MM, exclusive."
    end: String!
  }

  input QuietHoursInput {
    start: String!
    end: String!
  }

  type NotificationPreferences {
    """
    false: a reminder makes no in-app notification (nothing in Query.notifications to list or
    badge); it still fires (state FIRED, history) and goes to e-mail and webhook. Its event on the
    live stream still flows, marked inApp: false: data to sync, not a notification to show.
    """
    inApp: Boolean!
    email: Boolean!
    webhookUrl: String
  }

  input UpdateSettingsInput {
    timeZone: String
    defaultReminderOffset: Duration
    notificationPreferences: NotificationPreferencesInput
    "null turns quiet hours off."
    quietHours: QuietHoursInput
  }

  input NotificationPreferencesInput {
    inApp: Boolean
    email: Boolean
    """
    An https URL whose host resolves to public addresses only (no loopback, private, link-local,
    CGNAT, unique-local, multicast or reserved ones); checked now and again before each delivery.
    Redirects are not followed. null removes the webhook.
    """
    webhookUrl: String
  }

  enum Priority {
    NONE
    LOW
    MEDIUM
    HIGH
    URGENT
  }

  enum RecurrenceMode {
    "Occurrences come from the calendar, whatever happened to earlier ones."
    FIXED
    "The next occurrence is computed from the completion time (Todoist's every!)."
    AFTER_COMPLETION
  }

  enum SeriesState {
    ACTIVE
    PAUSED
    STOPPED
    "The rule has no occurrence left (COUNT reached, UNTIL passed)."
    ENDED
  }

  enum OccurrenceScope {
    "This occurrence only."
    THIS
    "This occurrence and every later one: the series ends before it."
    THIS_AND_FOLLOWING
    "The whole series: it stops; its open occurrences are removed, completed ones stay."
    ALL
  }

  type SeriesConnection {
    edges: [SeriesEdge!]!
    pageInfo: PageInfo!
  }

  type SeriesEdge {
    cursor: String!
    node: Series!
  }

  enum OccurrenceState {
    OPEN
    COMPLETED
    DELETED
    "Excluded (skipped) before it was created."
    SKIPPED
    "Its time passed while the series was paused, down, or had maxOpen occurrences open."
    MISSED
    "Not created yet."
    UPCOMING
  }

  type Series {
    id: ID!
    title: String!
    description: String!
    priority: Priority!
    tags: [String!]!
    "Each occurrence gets a reminder this long before its start."
    remindBefore: [Duration!]!
    "RFC 5545 RRULE value, e.g. FREQ=MONTHLY;BYDAY=-1FR."
    rrule: String!
    "Local date-time in timeZone that anchors the rule."
    dtstart: String!
    timeZone: String!
    exdates: [DateTime!]!
    mode: RecurrenceMode!
    state: SeriesState!
    "A neglected FIXED series creates no more occurrences while this many past ones are open."
    maxOpen: Int!
    "How many future occurrences a FIXED series creates ahead of time."
    materializeAhead: Int!
    "The rule in words."
    text: String!
    "The next occurrence not started yet (created or to come)."
    nextOccurrenceAt: DateTime
    "The last past occurrences and the next upcoming ones, oldest first."
    occurrences(past: Int = 10, upcoming: Int = 5): [Occurrence!]!
    createdAt: DateTime!
    updatedAt: DateTime!
    version: Int!
  }

  type Occurrence {
    "With the series zone's offset."
    start: DateTime!
    state: OccurrenceState!
    task: Task
  }

  type RecurrencePreview {
    occurrences: [String!]!
    text: String!
  }

  type ParsedRecurrence {
    rrule: String!
    dtstart: String!
    timeZone: String!
    mode: RecurrenceMode!
    text: String!
  }

  input PreviewRecurrenceInput {
    rrule: String!
    dtstart: String!
    timeZone: String!
    after: String
    count: Int!
  }

  input CreateSeriesInput {
    title: String!
    description: String
    priority: Priority
    tags: [String!]
    remindBefore: [Duration!]
    rrule: String!
    "Local date-time, e.g. 2026-03-28T09:00:00."
    dtstart: String!
    "Default: the user's time zone."
    timeZone: String
    exdates: [DateTime!]
    mode: RecurrenceMode = FIXED
    maxOpen: Int = 3
    materializeAhead: Int = 0
    "A retried create with the same key returns the first one's series."
    idempotencyKey: String
  }

  input UpdateSeriesInput {
    id: ID!
    expectedVersion: Int
    title: String
    description: String
    priority: Priority
    tags: [String!]
    remindBefore: [Duration!]
    rrule: String
    dtstart: String
    timeZone: String
    mode: RecurrenceMode
    maxOpen: Int
    materializeAhead: Int
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
    """
    Muted: its reminders keep their schedule, but one that comes due goes to no channel (no
    notification, e-mail or webhook); it is recorded as MUTED. Unmuting lets the next one through.
    """
    muted: Boolean!
    "Its reminders, in the order they were added."
    reminders: [Reminder!]!
    "When the next armed reminder fires."
    nextReminderAt: DateTime
    completedAt: DateTime
    "The recurring series this task is an occurrence of."
    seriesId: ID
    createdAt: DateTime!
    updatedAt: DateTime!
    "Increments on every change; pass it as expectedVersion for optimistic concurrency."
    version: Int!
    "What happened to this task, newest first (see Query.history)."
    history(first: Int = 20, after: String): HistoryConnection!
  }

  type HistoryConnection {
    edges: [HistoryEdge!]!
    pageInfo: PageInfo!
  }

  type HistoryEdge {
    cursor: String!
    node: HistoryEntry!
  }

  "One recorded change."
  type HistoryEntry {
    "The event's id."
    id: ID!
    "The caller's event sequence: every change of theirs gets the next number."
    sequence: Int!
    "What happened: task.created, task.updated, task.completed, task.reopened, task.deleted, reminder.fired, reminder.missed, reminder.snoozed, reminder.dismissed, reminder.digest, series.created, series.updated."
    action: String!
    actor: HistoryActor!
    "What the entry is about: a task, a series, or a quiet-hours digest."
    subject: ID!
    "The task, when the subject is one."
    taskId: ID
    "When the change was made."
    occurredAt: DateTime!
    "When the audit log recorded it."
    recordedAt: DateTime!
    """
    Each changed field before and after. A creation lists the created fields with before null;
    reminder events list what happened (fireAt, firedAt, late, snoozedUntil...) the same way.
    """
    changes: [FieldChange!]!
  }

  type HistoryActor {
    kind: ActorKind!
    "The user's id for USER; null for SYSTEM."
    id: ID
  }

  enum ActorKind {
    "The user, through the API."
    USER
    "Tickler itself: reminders firing, series creating occurrences, digests."
    SYSTEM
  }

  type FieldChange {
    field: String!
    before: JSON
    after: JSON
  }

  input HistoryFilter {
    "Only this task's entries."
    taskId: ID
    "Only these actions (task.updated, reminder.fired, ...)."
    actions: [String!]
    "Changes made at or after this instant."
    since: DateTime
    "Changes made before this instant."
    until: DateTime
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
    """
    The due date in words instead of dueAt ("tomorrow at 5pm", "next Friday", "in 2 hours",
    "end of month", or ISO-8601), read in the user's time zone (settings) at the time of the
    request; at most 200 characters. A day without a time sets allDay unless allDay is given.
    Task.dueAt of the answer shows the instant chosen.
    """
    dueText: String
    allDay: Boolean
    "Default false. See Task.muted."
    muted: Boolean
    "Shorthand for reminders: [{ before }]; needs dueAt or dueText."
    remindBefore: Duration
    "Absent with a dueAt: the user's default reminder. [] for none. At most 10."
    reminders: [ReminderInput!]
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
    "The new due date in words instead of dueAt (as in CreateTaskInput.dueText)."
    dueText: String
    allDay: Boolean
    "true mutes the task's reminders, false lets them through again (see Task.muted)."
    muted: Boolean
  }
`;
