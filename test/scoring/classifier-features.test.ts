// Classifier features beyond words: the fingerprint of the sending software
// and the script of the text. Each test shows the trait and the feature it yields.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { extractFeatures } from '../../core/scoring/classifier/features.js';
import { parseMessage } from '../../core/scoring/facts.js';
import { message } from './helpers/messages.js';

const features = (raw: Buffer) => extractFeatures(parseMessage(raw));

describe('classifier features: sending software', () => {
  it('names the mailer by its words, with version numbers reduced to their shape', () => {
    const f = features(message({ headers: ['X-Mailer: Microsoft Outlook Express 6.00.2600.0000'] }));
    assert.ok(f.has('xm:outlook') && f.has('xm:express'));
    assert.ok(f.has('xm:9.99.9999.9999'), [...f].filter((x) => x.startsWith('xm:')).join(' '));
  });

  it('records the order of the standard headers the client wrote', () => {
    const f = features(message({}));
    assert.ok(f.has('ho:from,to,subject,message-id,date,mime-version'), [...f].filter((x) => x.startsWith('ho:')).join(' '));
  });

  it('gives the Message-ID local part as a shape and says whether its domain is the sender\'s', () => {
    const f = features(message({}));
    assert.ok(f.has('midl:a-9'));
    assert.ok(f.has('midd:from'));
    const g = features(Buffer.from(message({}).toString('latin1').replace('<test-1@example.com>', '<20260302.ABC123@localhost>'), 'latin1'));
    assert.ok(g.has('midl:9.A9') && g.has('midd:host'), [...g].filter((x) => x.startsWith('mid')).join(' '));
  });

  it('gives the MIME boundary as a shape, or none for a single part', () => {
    assert.ok(features(message({ text: 'hi', html: '<p>hi</p>' })).has('bnd:a9_a_a'));
    assert.ok(features(message({ text: 'hi' })).has('bnd:none'));
  });

  it('records priority values', () => {
    assert.ok(features(message({ headers: ['X-Priority: 1 (Highest)'] })).has('hv:x-priority=1 (highest)'));
  });
});

describe('classifier features: script and undecodable text', () => {
  it('marks text that is mostly in a non-Latin script', () => {
    assert.ok(features(message({ text: 'Привет, это письмо написано по-русски целиком и полностью.' })).has('nonlat:2'));
    assert.ok(features(message({ text: 'Hello, this message is written in plain English from start to end.' })).has('nonlat:0'));
  });

  it('marks undecodable bytes in the text', () => {
    assert.ok(features(message({ text: 'price \ufffd\ufffd\ufffd now' })).has('repl:1'));
  });
});

describe('classifier features: words in every script', () => {
  const words = (text: string) => [...features(message({ subject: 'Notes', text }))].filter((x) => !x.includes(':'));

  it('keeps a word with Turkish capital İ whole and the same as its lower-case spelling', () => {
    const w = words('ÇEVİRİ HİZMETİ için çeviri hizmeti');
    assert.ok(w.includes('çeviri') && w.includes('hizmeti'), w.join(' '));
    assert.ok(!w.includes('çevi') && !w.includes('ri') && !w.some((x) => x.includes('\u0307')), w.join(' '));
    // the subject too, under its prefix
    const subject = '=?utf-8?B?' + Buffer.from('BÜYÜK İNDİRİM', 'utf8').toString('base64') + '?=';
    const s = [...features(message({ subject, text: 'hello there' }))].filter((x) => x.startsWith('s:'));
    assert.ok(s.includes('s:indirim') && s.includes('s:büyük'), s.join(' '));
  });

  it('keeps combining marks inside the word they belong to', () => {
    const decomposed = 'Re\u0301sume\u0301 attached'; // résumé with the accents as combining marks
    assert.ok(words(decomposed).includes('re\u0301sume\u0301'), words(decomposed).join(' '));
    assert.ok(words('नमस्ते दुनिया').includes('नमस्ते'), words('नमस्ते दुनिया').join(' '));
  });

  it('lowercases Cyrillic and Greek words, with the Greek final sigma', () => {
    const w = words('ПРИВЕТ МИР and ΟΔΟΣ ΣΟΦΙΑΣ');
    for (const x of ['привет', 'мир', 'οδος', 'σοφιας']) assert.ok(w.includes(x), `${x} missing from ${w.join(' ')}`);
  });
});
