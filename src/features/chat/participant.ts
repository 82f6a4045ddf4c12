// `@tokstat` in VS Code's chat: answers "how much is left", "what did today cost" and "which account should I use"
// from tokstat's own data with the same texts as the MCP tools (src/core/agentAnswers.ts). It calls no language model
// (so it costs no Copilot quota), never polls, never switches accounts. Registered only where the host has chat.
import * as vscode from 'vscode';
import { answerQuestion, type ChatData } from '../../core/agentAnswers';
import type { Logger } from '../../core/log';
import { redact } from '../../core/redact';

/** The id contributed in package.json `contributes.chatParticipants`. */
export const CHAT_PARTICIPANT_ID = 'tokstat.chat';

export interface ChatParticipantDeps {
  data(): ChatData;
  log: Logger;
}

/** The request handler (also what the tests invoke through the registered participant's `requestHandler`). */
export function chatHandler(deps: ChatParticipantDeps): vscode.ChatRequestHandler {
  return (request, _context, stream, token) => {
    if (token.isCancellationRequested) return {};
    try {
      const { question, text } = answerQuestion(request.prompt ?? '', deps.data(), request.command);
      // Plain text, escaped: names and provider text must not become links, images or markup in the chat view. One
      // paragraph with hard line breaks (appendText would turn each line break into a paragraph of its own).
      const md = new vscode.MarkdownString();
      text.split('\n').forEach((line, i) => {
        if (i > 0) md.appendMarkdown('  \n');
        md.appendText(line);
      });
      stream.markdown(md);
      if (question === 'left' || question === 'which') stream.button({ command: 'tokstat.openDashboard', title: vscode.l10n.t('Open tokstat Dashboard') });
      return { metadata: { question } };
    } catch (e) {
      deps.log.warn(`[chat] could not answer: ${redact(e instanceof Error ? e.message : String(e))}`);
      return { errorDetails: { message: vscode.l10n.t('tokstat could not answer: see the tokstat log.') } };
    }
  };
}

/** The participant, or undefined where the host has no chat API. */
export function registerChatParticipant(deps: ChatParticipantDeps, iconPath: vscode.Uri): vscode.ChatParticipant | undefined {
  if (typeof vscode.chat?.createChatParticipant !== 'function') {
    deps.log.info('[chat] this editor has no chat participant API: @tokstat is not available');
    return undefined;
  }
  const participant = vscode.chat.createChatParticipant(CHAT_PARTICIPANT_ID, chatHandler(deps));
  participant.iconPath = iconPath;
  return participant;
}
