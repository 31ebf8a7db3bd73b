"""The language a prompt is written in (English or Spanish), and the mock's Spanish phrasebook.

A small stop-word score, no model and no dependency: function words that only one of the two
languages uses, plus the letters and marks only Spanish writes (ñ, accents, ¿ ¡). A tie, or a
prompt with no clue at all, is English. Importing this module registers the Spanish
phrasebook in ``answers.PHRASEBOOKS``; ``outcome`` passes ``detect(prompt)`` to the answers.
"""

from __future__ import annotations

import re

from .answers import PHRASEBOOKS, Phrasebook

LANGUAGES = ("en", "es")

# Words shared by both languages ("a", "me", "no", "he") are in neither list: they prove nothing.
# Nor is Spanish "o" (or): it is also the "o" of "gpt-4o".
_ENGLISH = """
        the an and or of to in on at by for with from about into is are was were be been it its
        this that these those what how why who which where when you your i my we our they their
        can could would should will do does did not please tell write explain give say show
        hello hi thanks there here some any all more than very also"""
_SPANISH = """
        el la los las un una unos unas y de del al en que qué es son está están ser estar
        por para con sin sobre cómo como cuál cuáles dónde cuándo quién mi mis tu tus su sus yo
        tú usted nos se lo le les más pero este esta esto estos estas eso esa muy también hay
        puede puedes hola gracias favor dime dame di cuéntame cuenta explica explícame escribe
        cuentas"""
_STOPWORDS = {"en": frozenset(_ENGLISH.split()), "es": frozenset(_SPANISH.split())}
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
_SPANISH_MARKS = frozenset("ñáéíóúü¿¡")

SPANISH = Phrasebook(
    openers=(
        "Aquí tiene una respuesta breve a «{topic}».",
        "Buena pregunta: «{topic}».",
        "Veamos «{topic}».",
        "Ha preguntado: «{topic}».",
    ),
    bodies=(
        "La idea clave es empezar por algo pequeño, comprobar el resultado y seguir desde ahí.",
        "Un ejemplo concreto suele aclarar la diferencia mejor que una definición.",
        "Ayuda decir primero el objetivo y después las restricciones que importan.",
        "Casi siempre, el enfoque más sencillo es también el más fácil de mantener.",
        "Pruébelo primero con una entrada mínima; los casos límite son los que más enseñan.",
        "Si la solicitud es concreta, la respuesta también lo será.",
        "Si algo no está claro, una pregunta más precisa obtiene una respuesta más precisa.",
        "Anote lo que espera antes de ejecutarlo y después compárelo.",
    ),
    tangents=(
        "Por cierto, los faros se encendían antes con aceite de ballena.",
        "Lo que me recuerda: los pulpos tienen tres corazones.",
        "Además, la Luna se aleja de la Tierra unos cuatro centímetros al año.",
        "En algún lugar, una tetera hierve sin motivo alguno.",
        "El morado, dicen, sabe a martes.",
    ),
    jokes=(
        "Intenté explicarle {topic} a mi gato. Ahora me ignora con más seguridad.",
        "Mi médico me dijo que dejara de pensar en {topic}. Le dije: eso es mucho que procesar.",
        "¿Sabe qué tienen en común {topic} y un buen chiste? Los dos mejoran si se explican menos.",
    ),
    no_topic="su solicitud",
)
PHRASEBOOKS["es"] = SPANISH


def detect(text: str) -> str:
    """``"es"`` when the text reads as Spanish, else ``"en"``."""
    words = [w.lower() for w in _WORD.findall(text)]
    english = sum(w in _STOPWORDS["en"] for w in words)
    spanish = sum(w in _STOPWORDS["es"] for w in words)
    spanish += 2 * sum(ch in _SPANISH_MARKS for ch in text.lower())
    return "es" if spanish > english else "en"
